//! Pacemaker CIB XML and `crm_mon --output-as=xml` as a typed model.
