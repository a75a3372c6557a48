app_name = "cases_public"
urlpatterns = []
