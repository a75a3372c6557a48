from django.urls import path

from . import results, screens, views

app_name = "portal"
urlpatterns = [
    path("", views.portal_home, name="home"),
    path("sites/", views.site_list, name="sites"),
    path("sites/<str:code>/", views.site_page, name="site"),
    path("deadline/", views.deadline_calculator, name="deadline"),
    path("ratings/", views.rating_results, name="ratings"),
    path("results/", results.results_board, name="results"),
    path("results/feed.atom", results.ResultsAtomFeed(), name="results_atom"),
    path("results/feed.json", results.results_json_feed, name="results_json"),
    path("screens/<str:code>/", screens.hall_screen, name="hall_screen"),
    path("screens/<str:code>/panel/", screens.hall_screen_panel, name="hall_screen_panel"),
    path("screens/<str:code>/windows/<str:number>/", screens.window_screen, name="window_screen"),
    path("screens/<str:code>/windows/<str:number>/panel/", screens.window_screen_panel, name="window_screen_panel"),
]
