"""The page login's backend: Django's ModelBackend, for people only."""

from django.contrib.auth.backends import ModelBackend


class PeopleOnlyBackend(ModelBackend):
    """A system's service account (``User.is_system_account``) never logs in to the pages, even if it were given a
    password: its calls come with a system token (org.ExternalSystem)."""

    def user_can_authenticate(self, user) -> bool:
        return super().user_can_authenticate(user) and not getattr(user, "is_system_account", False)
