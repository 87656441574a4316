"""Creates in the lab's Keystone what the seed deployment creates with the openstack CLI.

  keystone-seed.py objects AUTH_URL CA_FILE SECRETS_DIR MASAKARI_URL
      the service project, user masakari with the admin role on it, the instance-ha service and its
      public, internal and admin endpoints in RegionOne (MASAKARI_URL, with %(tenant_id)s as the seed).
  keystone-seed.py app-credential AUTH_URL CA_FILE SECRETS_DIR NAME
      an application credential of user masakari; prints its id, writes its secret to SECRETS_DIR/NAME.

Passwords are read from SECRETS_DIR (admin-password, masakari-password), never taken from argv.
"""
import os
import sys

from keystoneauth1 import session
from keystoneauth1.identity import v3
from keystoneclient.v3 import client

REGION = "RegionOne"


def secret(secrets_dir, name):
    with open(os.path.join(secrets_dir, name)) as f:
        return f.read().strip()


def connect(auth_url, ca_file, secrets_dir, user, project):
    auth = v3.Password(auth_url=auth_url, username=user, password=secret(secrets_dir, f"{user}-password"),
                       user_domain_id="default", project_name=project, project_domain_id="default")
    return client.Client(session=session.Session(auth=auth, verify=ca_file))


def objects(auth_url, ca_file, secrets_dir, masakari_url):
    ks = connect(auth_url, ca_file, secrets_dir, "admin", "admin")
    project = ks.projects.create("service", domain="default", description="Service Project")
    user = ks.users.create("masakari", domain="default", password=secret(secrets_dir, "masakari-password"),
                           default_project=project)
    admin = ks.roles.find(name="admin")
    ks.roles.grant(admin, user=user, project=project)
    service = ks.services.create("masakari", type="instance-ha", description="masakari high availability")
    for interface in ("public", "internal", "admin"):
        ks.endpoints.create(service, masakari_url, interface=interface, region=REGION)


def app_credential(auth_url, ca_file, secrets_dir, name):
    ks = connect(auth_url, ca_file, secrets_dir, "masakari", "service")
    user = ks.session.get_user_id()
    credential = ks.application_credentials.create(name, user=user)
    path = os.path.join(secrets_dir, name)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(credential.secret)
    print(credential.id)


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    {"objects": objects, "app-credential": app_credential}[command](*args)
