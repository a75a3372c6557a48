app_name = "catalog_staff"
urlpatterns = []
