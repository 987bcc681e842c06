"""Clue uploads stay in memory until they are cleaned: Django would spool a file over 2.5 MB to the system's
temporary folder, and an evidence photo with its GPS position must never touch a disk before re-encoding."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler

from jianfu.evidence import MAX_BYTES


class InMemoryEvidenceHandler(FileUploadHandler):
    """Keeps each file in memory up to the evidence limit; beyond it, keeps counting but drops the bytes, so the
    view sees the real size (and answers 413) without holding it. The middleware caps the whole body first."""

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.buffer = io.BytesIO()
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received <= MAX_BYTES:
            self.buffer.write(raw_data)
        return None

    def file_complete(self, file_size):
        kept = self.buffer if self.received <= MAX_BYTES else io.BytesIO()
        kept.seek(0)
        return InMemoryUploadedFile(
            kept, self.field_name, self.file_name, self.content_type, file_size, self.charset, self.content_type_extra
        )
