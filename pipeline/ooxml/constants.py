"""Relationship types, content types and algorithm URIs of ECMA-376 and XML-DSig."""

from __future__ import annotations

__all__ = ["ALG", "CT", "RT"]


class RT:
    """Relationship types."""

    OFFICE_DOCUMENT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
    CORE_PROPERTIES = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties"
    CORE_PROPERTIES_OLD = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/metadata/core-properties"
    EXTENDED_PROPERTIES = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties"
    CUSTOM_PROPERTIES = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"
    THUMBNAIL = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/thumbnail"
    ORIGIN = "http://schemas.openxmlformats.org/package/2006/relationships/digital-signature/origin"
    SIGNATURE = "http://schemas.openxmlformats.org/package/2006/relationships/digital-signature/signature"
    CERTIFICATE = "http://schemas.openxmlformats.org/package/2006/relationships/digital-signature/certificate"
    HEADER = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/header"
    IMAGE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/image"


class CT:
    """Content types."""

    RELATIONSHIPS = "application/vnd.openxmlformats-package.relationships+xml"
    SIGNATURE_ORIGIN = "application/vnd.openxmlformats-package.digital-signature-origin"
    SIGNATURE_XML = "application/vnd.openxmlformats-package.digital-signature-xmlsignature+xml"
    WML_HEADER = "application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"
    PNG = "image/png"


class ALG:
    """XML-DSig and OPC algorithm identifiers."""

    C14N = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
    C14N_COMMENTS = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments"
    RELATIONSHIP_TRANSFORM = "http://schemas.openxmlformats.org/package/2006/RelationshipTransform"
    SHA1 = "http://www.w3.org/2000/09/xmldsig#sha1"
    SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"
    SHA384 = "http://www.w3.org/2001/04/xmldsig-more#sha384"
    SHA512 = "http://www.w3.org/2001/04/xmlenc#sha512"
    RSA_SHA1 = "http://www.w3.org/2000/09/xmldsig#rsa-sha1"
    RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
    RSA_SHA384 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384"
    RSA_SHA512 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512"
    ECDSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"
    ECDSA_SHA384 = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384"
    OBJECT_TYPE = "http://www.w3.org/2000/09/xmldsig#Object"
    SIGNED_PROPERTIES_TYPE = "http://uri.etsi.org/01903#SignedProperties"
