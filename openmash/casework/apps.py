from django.apps import AppConfig


class CaseworkConfig(AppConfig):
    name = "openmash.casework"
    verbose_name = "Joint casework: joint visits, police protection, investigation closures, disagreements"
