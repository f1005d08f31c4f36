"""Fixtures of the document-library tests.

``s3_documents_storage``: the "documents" storage pointed at a real S3 API for one test, moto's server on loopback
(one server per test session, a new bucket per test), the same ``storages.backends.s3.S3Storage`` and options that
``STORAGE_BACKEND=s3`` configures in production (with signature version 4).
"""

import logging
import uuid
from dataclasses import dataclass

import boto3
import pytest
from django.conf import settings
from django.test import override_settings
from moto.server import ThreadedMotoServer

S3_REGION = "us-east-1"
S3_CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
#: Seconds a presigned URL lives in these tests (the production cap, 15 minutes).
S3_URL_LIFETIME = 900


@dataclass(frozen=True)
class S3Bucket:
    """The bucket a test's documents go to: its name, a boto3 client of the server and the server's address."""

    name: str
    client: object
    endpoint: str

    def keys(self, prefix=""):
        """The keys of the objects in the bucket below ``prefix``."""
        answer = self.client.list_objects_v2(Bucket=self.name, Prefix=prefix)
        return sorted(item["Key"] for item in answer.get("Contents", ()))

    def read(self, key):
        return self.client.get_object(Bucket=self.name, Key=key)["Body"].read()


@pytest.fixture(scope="session")
def moto_s3_endpoint():
    """The address of moto's S3 server, run on loopback at a free port for the whole test session."""
    requests_log = logging.getLogger("werkzeug")  # one line per request would bury a failing test's own output
    level = requests_log.level
    requests_log.setLevel(logging.WARNING)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()
    requests_log.setLevel(level)


def s3_storages(*, endpoint, bucket):
    """``STORAGES`` with the documents' files in ``bucket`` of the S3 API at ``endpoint``."""
    documents = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": endpoint,
            "region_name": S3_REGION,
            "access_key": S3_CREDENTIALS["aws_access_key_id"],
            "secret_key": S3_CREDENTIALS["aws_secret_access_key"],
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": S3_URL_LIFETIME,
            "file_overwrite": False,
            # Signature version 4 (X-Amz-Expires, X-Amz-Signature): what S3 buckets created since 2020 and every
            # newer region require; botocore would otherwise presign with version 2 in us-east-1.
            "signature_version": "s3v4",
        },
    }
    return {**settings.STORAGES, "documents": documents}


@pytest.fixture
def s3_documents_storage(moto_s3_endpoint):
    """For one test, the "documents" storage is an S3 bucket of its own on moto's server; yields an ``S3Bucket``.
    (``override_settings`` of ``STORAGES`` makes Django drop its cached storages on the way in and out, so that
    ``storages["documents"]`` is the bucket during the test and the local folder again after it.)"""
    client = boto3.client("s3", endpoint_url=moto_s3_endpoint, region_name=S3_REGION, **S3_CREDENTIALS)
    bucket = f"documents-{uuid.uuid4().hex[:12]}"
    client.create_bucket(Bucket=bucket)
    with override_settings(STORAGES=s3_storages(endpoint=moto_s3_endpoint, bucket=bucket),
                           DOCUMENTS_URL_LIFETIME=S3_URL_LIFETIME):
        yield S3Bucket(name=bucket, client=client, endpoint=moto_s3_endpoint)
    objects = client.list_objects_v2(Bucket=bucket).get("Contents", ())
    if objects:
        client.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": item["Key"]} for item in objects]})
    client.delete_bucket(Bucket=bucket)
