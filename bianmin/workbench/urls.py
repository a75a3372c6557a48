from django.urls import path

from . import systems, views

app_name = "workbench"
urlpatterns = [
    path("", views.workbench_home, name="home"),
    path("sites/", views.site_list, name="sites"),
    path("sites/<int:pk>/", views.site_detail, name="site_detail"),
    path("systems/", systems.system_list, name="systems"),
    path("systems/new/", systems.system_new, name="system_new"),
    path("systems/<int:pk>/", systems.system_detail, name="system_detail"),
    path("systems/<int:pk>/tokens/new/", systems.token_new, name="token_new"),
    path("systems/<int:pk>/tokens/<int:token_pk>/revoke/", systems.token_revoke_view, name="token_revoke"),
]
