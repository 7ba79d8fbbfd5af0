from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "suivi.demo"
    label = "demo"
