"""The Django app configuration."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PGPMailmanConfig(AppConfig):
    name = 'django_pgpmailman'
    verbose_name = _('PGP mailing lists')
    default_auto_field = 'django.db.models.AutoField'
