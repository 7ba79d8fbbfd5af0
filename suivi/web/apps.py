from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "suivi.web"
    label = "web"
