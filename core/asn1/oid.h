/* core/asn1/oid.h - encoded OBJECT IDENTIFIER contents used across provbox.
 *
 * Each is the DER content octets as a string literal; OID(x) expands to
 * the (pointer, length) pair that der_put_oid() and der_oid_eq() take.
 */
#ifndef PB_OID_H
#define PB_OID_H

#define OID(x) ((const uint8_t *)(x)), (sizeof(x) - 1)

/* keys and curves */
#define OID_EC_PUBLIC_KEY   "\x2A\x86\x48\xCE\x3D\x02\x01"          /* 1.2.840.10045.2.1 */
#define OID_P256            "\x2A\x86\x48\xCE\x3D\x03\x01\x07"      /* 1.2.840.10045.3.1.7 */
#define OID_P384            "\x2B\x81\x04\x00\x22"                  /* 1.3.132.0.34 */
#define OID_RSA_ENCRYPTION  "\x2A\x86\x48\x86\xF7\x0D\x01\x01\x01"  /* 1.2.840.113549.1.1.1 */

/* signature and digest algorithms */
#define OID_SHA256_WITH_RSA "\x2A\x86\x48\x86\xF7\x0D\x01\x01\x0B"  /* 1.2.840.113549.1.1.11 */
#define OID_SHA384_WITH_RSA "\x2A\x86\x48\x86\xF7\x0D\x01\x01\x0C"  /* 1.2.840.113549.1.1.12 */
#define OID_ECDSA_SHA256    "\x2A\x86\x48\xCE\x3D\x04\x03\x02"      /* 1.2.840.10045.4.3.2 */
#define OID_ECDSA_SHA384    "\x2A\x86\x48\xCE\x3D\x04\x03\x03"      /* 1.2.840.10045.4.3.3 */
#define OID_SHA1            "\x2B\x0E\x03\x02\x1A"                  /* 1.3.14.3.2.26 */
#define OID_SHA256          "\x60\x86\x48\x01\x65\x03\x04\x02\x01"  /* 2.16.840.1.101.3.4.2.1 */
#define OID_SHA384          "\x60\x86\x48\x01\x65\x03\x04\x02\x02"  /* 2.16.840.1.101.3.4.2.2 */
#define OID_SHA512          "\x60\x86\x48\x01\x65\x03\x04\x02\x03"  /* 2.16.840.1.101.3.4.2.3 */
#define OID_SHA224          "\x60\x86\x48\x01\x65\x03\x04\x02\x04"  /* 2.16.840.1.101.3.4.2.4 */

/* X.520 attribute types */
#define OID_AT_CN           "\x55\x04\x03"                          /* 2.5.4.3 */
#define OID_AT_SERIAL       "\x55\x04\x05"                          /* 2.5.4.5 */
#define OID_AT_C            "\x55\x04\x06"                          /* 2.5.4.6 */
#define OID_AT_L            "\x55\x04\x07"                          /* 2.5.4.7 */
#define OID_AT_ST           "\x55\x04\x08"                          /* 2.5.4.8 */
#define OID_AT_O            "\x55\x04\x0A"                          /* 2.5.4.10 */
#define OID_AT_OU           "\x55\x04\x0B"                          /* 2.5.4.11 */
#define OID_AT_EMAIL        "\x2A\x86\x48\x86\xF7\x0D\x01\x09\x01"  /* 1.2.840.113549.1.9.1 */

/* certificate extensions (RFC 5280) */
#define OID_CE_SKI          "\x55\x1D\x0E"                          /* 2.5.29.14 */
#define OID_CE_KEY_USAGE    "\x55\x1D\x0F"                          /* 2.5.29.15 */
#define OID_CE_SAN          "\x55\x1D\x11"                          /* 2.5.29.17 */
#define OID_CE_BASIC_CONSTRAINTS "\x55\x1D\x13"                     /* 2.5.29.19 */
#define OID_CE_AKI          "\x55\x1D\x23"                          /* 2.5.29.35 */
#define OID_CE_EXT_KEY_USAGE "\x55\x1D\x25"                         /* 2.5.29.37 */
#define OID_KP_SERVER_AUTH  "\x2B\x06\x01\x05\x05\x07\x03\x01"      /* 1.3.6.1.5.5.7.3.1 */
#define OID_KP_CLIENT_AUTH  "\x2B\x06\x01\x05\x05\x07\x03\x02"      /* 1.3.6.1.5.5.7.3.2 */
#define OID_KP_CODE_SIGNING "\x2B\x06\x01\x05\x05\x07\x03\x03"      /* 1.3.6.1.5.5.7.3.3 */

/* PKCS#9 / PKCS#10 */
#define OID_PKCS9_EXT_REQUEST   "\x2A\x86\x48\x86\xF7\x0D\x01\x09\x0E"      /* 1.2.840.113549.1.9.14 */
#define OID_PKCS9_FRIENDLY_NAME "\x2A\x86\x48\x86\xF7\x0D\x01\x09\x14"      /* 1.2.840.113549.1.9.20 */
#define OID_PKCS9_LOCAL_KEY_ID  "\x2A\x86\x48\x86\xF7\x0D\x01\x09\x15"      /* 1.2.840.113549.1.9.21 */
#define OID_PKCS9_X509_CERT     "\x2A\x86\x48\x86\xF7\x0D\x01\x09\x16\x01"  /* 1.2.840.113549.1.9.22.1 */

/* PKCS#7 content types */
#define OID_PKCS7_DATA      "\x2A\x86\x48\x86\xF7\x0D\x01\x07\x01"  /* 1.2.840.113549.1.7.1 */
#define OID_PKCS7_ENVELOPED "\x2A\x86\x48\x86\xF7\x0D\x01\x07\x03"  /* 1.2.840.113549.1.7.3 */
#define OID_PKCS7_ENCRYPTED "\x2A\x86\x48\x86\xF7\x0D\x01\x07\x06"  /* 1.2.840.113549.1.7.6 */

/* PKCS#12 bag types and legacy PBEs */
#define OID_P12_KEY_BAG     "\x2A\x86\x48\x86\xF7\x0D\x01\x0C\x0A\x01\x01"  /* 1.2.840.113549.1.12.10.1.1 */
#define OID_P12_SHROUDED_KEY_BAG "\x2A\x86\x48\x86\xF7\x0D\x01\x0C\x0A\x01\x02"
#define OID_P12_CERT_BAG    "\x2A\x86\x48\x86\xF7\x0D\x01\x0C\x0A\x01\x03"
#define OID_P12_PBE_SHA_3DES "\x2A\x86\x48\x86\xF7\x0D\x01\x0C\x01\x03"     /* 1.2.840.113549.1.12.1.3 */
#define OID_P12_SAFE_CONTENTS_BAG "\x2A\x86\x48\x86\xF7\x0D\x01\x0C\x0A\x01\x06"
#define OID_P12_PBE_SHA_RC4_128 "\x2A\x86\x48\x86\xF7\x0D\x01\x0C\x01\x01"  /* 1.2.840.113549.1.12.1.1 */
#define OID_P12_PBE_SHA_RC4_40 "\x2A\x86\x48\x86\xF7\x0D\x01\x0C\x01\x02"   /* 1.2.840.113549.1.12.1.2 */
#define OID_P12_PBE_SHA_2DES "\x2A\x86\x48\x86\xF7\x0D\x01\x0C\x01\x04"     /* 1.2.840.113549.1.12.1.4 */
#define OID_P12_PBE_SHA_RC2_128 "\x2A\x86\x48\x86\xF7\x0D\x01\x0C\x01\x05"  /* 1.2.840.113549.1.12.1.5 */
#define OID_P12_PBE_SHA_RC2_40 "\x2A\x86\x48\x86\xF7\x0D\x01\x0C\x01\x06"   /* 1.2.840.113549.1.12.1.6 */

/* PKCS#5 v2 */
#define OID_PBES2           "\x2A\x86\x48\x86\xF7\x0D\x01\x05\x0D"  /* 1.2.840.113549.1.5.13 */
#define OID_PBKDF2          "\x2A\x86\x48\x86\xF7\x0D\x01\x05\x0C"  /* 1.2.840.113549.1.5.12 */
#define OID_HMAC_SHA1       "\x2A\x86\x48\x86\xF7\x0D\x02\x07"      /* 1.2.840.113549.2.7 */
#define OID_HMAC_SHA224     "\x2A\x86\x48\x86\xF7\x0D\x02\x08"      /* 1.2.840.113549.2.8 */
#define OID_HMAC_SHA256     "\x2A\x86\x48\x86\xF7\x0D\x02\x09"      /* 1.2.840.113549.2.9 */
#define OID_HMAC_SHA384     "\x2A\x86\x48\x86\xF7\x0D\x02\x0A"      /* 1.2.840.113549.2.10 */
#define OID_HMAC_SHA512     "\x2A\x86\x48\x86\xF7\x0D\x02\x0B"      /* 1.2.840.113549.2.11 */
#define OID_AES128_CBC      "\x60\x86\x48\x01\x65\x03\x04\x01\x02"  /* 2.16.840.1.101.3.4.1.2 */
#define OID_AES192_CBC      "\x60\x86\x48\x01\x65\x03\x04\x01\x16"  /* 2.16.840.1.101.3.4.1.22 */
#define OID_AES256_CBC      "\x60\x86\x48\x01\x65\x03\x04\x01\x2A"  /* 2.16.840.1.101.3.4.1.42 */
#define OID_DES_EDE3_CBC    "\x2A\x86\x48\x86\xF7\x0D\x03\x07"      /* 1.2.840.113549.3.7 */

#endif
