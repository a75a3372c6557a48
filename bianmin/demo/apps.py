from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo county and its loader (``manage.py demo_load``): no models, above every other app."""

    name = "bianmin.demo"
