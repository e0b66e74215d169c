from django.apps import AppConfig


class SubjectAccessConfig(AppConfig):
    name = "openmash.subjectaccess"
    label = "subjectaccess"
    verbose_name = "Subject access requests"
