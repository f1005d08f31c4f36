"""Free text that people and machines write (notes, descriptions, messages): a ``TextField`` of bounded length.

Every free-text column of the product is a ``FreeTextField``: at most ``FREE_TEXT_MAX_LENGTH`` characters unless
a field says otherwise, refused by the model's own validation (so that the admin, the API and the services alike
refuse longer text on the field), and given to forms and serializers as their ``max_length``.
"""

from django.core.validators import MaxLengthValidator
from django.db import models

FREE_TEXT_MAX_LENGTH = 10_000


class FreeTextField(models.TextField):
    def __init__(self, *args, max_length=FREE_TEXT_MAX_LENGTH, **kwargs):
        super().__init__(*args, max_length=max_length, **kwargs)
        # Django's TextField hands ``max_length`` to forms only; like a CharField, the model checks it itself.
        self.validators.append(MaxLengthValidator(self.max_length))
