"""Mount with ``path('pgp/', include('django_pgpmailman.urls'))``."""

from django.urls import path as _path

from django_pgpmailman.core import answers_core_errors
from django_pgpmailman.views import keys, lists, reader


def path(route, view, *args, **kwargs):
    return _path(route, answers_core_errors(view), *args, **kwargs)


LIST = 'lists/<str:list_id>/'

urlpatterns = [
    path('lists/', lists.index, name='pgp_index'),
    path(LIST, lists.list_info, name='pgp_list_info'),
    path(LIST + 'key.asc', lists.public_key, name='pgp_public_key'),
    path(LIST + 'private-key.asc', lists.private_key,
         name='pgp_private_key'),
    path(LIST + 'settings/', lists.list_settings, name='pgp_list_settings'),
    path(LIST + 'settings/<slug:section>/', lists.list_settings,
         name='pgp_list_settings_section'),
    path(LIST + 'rotate-key/', lists.key_operation,
         {'operation': 'rotate-key'}, name='pgp_rotate_key'),
    path(LIST + 'extend-key/', lists.key_operation,
         {'operation': 'extend-key'}, name='pgp_extend_key'),
    path(LIST + 'keys/', lists.approvals, name='pgp_list_keys'),
    path(LIST + 'archive/', lists.archive, name='pgp_list_archive'),
    path(LIST + 'archive/read/', reader.archive_reader,
         name='pgp_list_archive_reader'),
    path('keys/', keys.my_keys, name='pgp_my_keys'),
    path('keys/<str:list_id>/', keys.key_step, name='pgp_key_step'),
]
