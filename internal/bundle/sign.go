package bundle

import (
	"archive/zip"
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Algorithm is the only signature algorithm of sendflow.bundle/v1.
const Algorithm = "Ed25519"

// KeyID is the fingerprint of a public key: "sha256:" and the lowercase hex
// SHA-256 of the 32 raw key bytes.
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// PublicKey is the JSON served at GET /.well-known/sendflow-bundle-key.
type PublicKey struct {
	KeyID     string `json:"keyId"`
	Algorithm string `json:"algorithm"`
	// Key is the 32 raw bytes of the Ed25519 public key, standard base64.
	Key string `json:"key"`
}

// Published is the public half of key as served at the well-known address.
func Published(key ed25519.PrivateKey) PublicKey {
	pub := key.Public().(ed25519.PublicKey)
	return PublicKey{KeyID: KeyID(pub), Algorithm: Algorithm, Key: base64.StdEncoding.EncodeToString(pub)}
}

// ParsePrivateKey reads an Ed25519 private key: PEM ("PRIVATE KEY", PKCS #8,
// as `openssl genpkey -algorithm ed25519` writes), or standard base64 of the
// 32-byte seed or the 64-byte private key.
func ParsePrivateKey(data []byte) (ed25519.PrivateKey, error) {
	text := strings.TrimSpace(string(data))
	if block, _ := pem.Decode([]byte(text)); block != nil {
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%w: PEM is not a PKCS #8 private key: %v", ErrKey, err)
		}
		ed, ok := k.(ed25519.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("%w: PEM holds a %T, not an Ed25519 key", ErrKey, k)
		}
		return ed, nil
	}
	raw, err := base64.StdEncoding.DecodeString(text)
	if err != nil {
		return nil, fmt.Errorf("%w: neither PEM nor base64", ErrKey)
	}
	switch len(raw) {
	case ed25519.SeedSize:
		return ed25519.NewKeyFromSeed(raw), nil
	case ed25519.PrivateKeySize:
		k := ed25519.NewKeyFromSeed(raw[:ed25519.SeedSize])
		if !bytes.Equal(k, raw) {
			return nil, fmt.Errorf("%w: the 64 bytes are not a consistent Ed25519 private key", ErrKey)
		}
		return k, nil
	}
	return nil, fmt.Errorf("%w: base64 of %d bytes; want a 32-byte seed or 64-byte key", ErrKey, len(raw))
}

// ParsePublicKey reads the sender's public key as someone received it: the
// well-known JSON, PEM ("PUBLIC KEY"), or standard base64 of the 32 raw bytes.
func ParsePublicKey(data []byte) (ed25519.PublicKey, error) {
	text := strings.TrimSpace(string(data))
	if strings.HasPrefix(text, "{") {
		var pk PublicKey
		if err := json.Unmarshal([]byte(text), &pk); err != nil {
			return nil, fmt.Errorf("%w: key JSON: %v", ErrKey, err)
		}
		pub, err := ParsePublicKey([]byte(pk.Key))
		if err != nil {
			return nil, err
		}
		if pk.KeyID != "" && pk.KeyID != KeyID(pub) {
			return nil, fmt.Errorf("%w: keyId does not match the key", ErrKey)
		}
		return pub, nil
	}
	if block, _ := pem.Decode([]byte(text)); block != nil {
		k, err := x509.ParsePKIXPublicKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%w: PEM is not a public key: %v", ErrKey, err)
		}
		ed, ok := k.(ed25519.PublicKey)
		if !ok {
			return nil, fmt.Errorf("%w: PEM holds a %T, not an Ed25519 key", ErrKey, k)
		}
		return ed, nil
	}
	raw, err := base64.StdEncoding.DecodeString(text)
	if err != nil || len(raw) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("%w: want the key JSON, PEM, or base64 of 32 bytes", ErrKey)
	}
	return ed25519.PublicKey(raw), nil
}

// LoadOrCreateKeyFile reads the private key at path, or, when there is no file,
// makes a new one there (PEM, mode 0600). For `sendflow dev` only.
func LoadOrCreateKeyFile(path string) (ed25519.PrivateKey, error) {
	data, err := os.ReadFile(path)
	if err == nil {
		return ParsePrivateKey(data)
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	out := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	if err := os.WriteFile(path, out, 0o600); err != nil {
		return nil, err
	}
	return key, nil
}

// Signature is bundle.sig.json.
type Signature struct {
	Format    string `json:"format"`
	Algorithm string `json:"algorithm"`
	KeyID     string `json:"keyId"`
	// RecordSHA256 and PDFSHA256 are lowercase hex SHA-256 of bundle.json and evidence.pdf.
	RecordSHA256 string `json:"recordSha256"`
	PDFSHA256    string `json:"pdfSha256"`
	// Signature is standard base64 of the Ed25519 signature over SignedMessage.
	Signature string `json:"signature"`
}

// SignedMessage is what is signed: the canonical bytes of bundle.json, a
// newline (0x0A), and the lowercase hex SHA-256 of evidence.pdf.
func SignedMessage(record, pdf []byte) []byte {
	sum := sha256.Sum256(pdf)
	msg := make([]byte, 0, len(record)+1+64)
	msg = append(msg, record...)
	msg = append(msg, '\n')
	return append(msg, hex.EncodeToString(sum[:])...)
}

// Sign signs the canonical record bytes and the PDF with key.
func Sign(key ed25519.PrivateKey, record, pdf []byte) Signature {
	rs, ps := sha256.Sum256(record), sha256.Sum256(pdf)
	return Signature{
		Format: Format, Algorithm: Algorithm, KeyID: KeyID(key.Public().(ed25519.PublicKey)),
		RecordSHA256: hex.EncodeToString(rs[:]), PDFSHA256: hex.EncodeToString(ps[:]),
		Signature: base64.StdEncoding.EncodeToString(ed25519.Sign(key, SignedMessage(record, pdf))),
	}
}

// Verify checks sig over record and pdf with pub, then decodes the record.
// Any failure is ErrSignature, ErrFormat, ErrMalformed or ErrKey.
func Verify(pub ed25519.PublicKey, record, pdf []byte, sig Signature) (Record, error) {
	if len(pub) != ed25519.PublicKeySize {
		return Record{}, fmt.Errorf("%w: the public key is not 32 bytes", ErrKey)
	}
	if sig.Format != Format {
		return Record{}, fmt.Errorf("%w: signature for %q (this sendflow reads %s)", ErrFormat, sig.Format, Format)
	}
	if sig.Algorithm != Algorithm {
		return Record{}, fmt.Errorf("%w: algorithm %q; want %s", ErrSignature, sig.Algorithm, Algorithm)
	}
	if sig.KeyID != KeyID(pub) {
		return Record{}, fmt.Errorf("%w: signed with key %s, not the key given (%s)", ErrSignature, sig.KeyID, KeyID(pub))
	}
	raw, err := base64.StdEncoding.DecodeString(sig.Signature)
	if err != nil || len(raw) != ed25519.SignatureSize {
		return Record{}, fmt.Errorf("%w: the signature is not base64 of 64 bytes", ErrMalformed)
	}
	if !ed25519.Verify(pub, SignedMessage(record, pdf), raw) {
		return Record{}, fmt.Errorf("%w: bundle.json or evidence.pdf changed after signing, or another key signed it",
			ErrSignature)
	}
	return Decode(record)
}

// File names inside the zip.
const (
	RecordFile    = "bundle.json"
	SignatureFile = "bundle.sig.json"
	PDFFile       = "evidence.pdf"
	ReadmeFile    = "README.txt"
)

// Parts are the files of a bundle.
type Parts struct {
	Record    []byte
	PDF       []byte
	Signature Signature
}

const readme = `This is a portable SEND record exported by sendflow (format sendflow.bundle/v1).

  bundle.json      the pupil's record as JSON; every field is explained in docs/bundle.md
                   and checked by docs/bundle.schema.json in the sendflow repository
  evidence.pdf     the same record as a readable evidence pack
  bundle.sig.json  the Ed25519 signature over bundle.json and evidence.pdf

To check it was not changed: fetch the sender's public key from
https://<their sendflow>/.well-known/sendflow-bundle-key and compare its keyId with
bundle.sig.json's. The signed message is the bytes of bundle.json, one newline, then
the lowercase hex SHA-256 of evidence.pdf. docs/bundle.md shows how to verify with openssl.

Confidential: special category data. Share only with the school or service it was sent to.
`

// Zip writes the bundle as a zip: README.txt, bundle.json, bundle.sig.json, evidence.pdf.
func Zip(p Parts) ([]byte, error) {
	sig, err := json.MarshalIndent(p.Signature, "", "  ")
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range []struct {
		name string
		data []byte
	}{{ReadmeFile, []byte(readme)}, {RecordFile, p.Record}, {SignatureFile, append(sig, '\n')}, {PDFFile, p.PDF}} {
		w, err := zw.Create(f.name)
		if err != nil {
			return nil, err
		}
		if _, err := w.Write(f.data); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Unzip reads a bundle zip, refusing one without the three files, with a file
// twice, or with files larger than limit bytes in all.
func Unzip(data []byte, limit int64) (Parts, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return Parts{}, fmt.Errorf("%w: not a zip file: %v", ErrMalformed, err)
	}
	files := map[string][]byte{}
	var total int64
	for _, f := range zr.File {
		if f.Name != RecordFile && f.Name != SignatureFile && f.Name != PDFFile {
			continue
		}
		if _, dup := files[f.Name]; dup {
			return Parts{}, fmt.Errorf("%w: %s is in the zip twice", ErrMalformed, f.Name)
		}
		rc, err := f.Open()
		if err != nil {
			return Parts{}, fmt.Errorf("%w: %s: %v", ErrMalformed, f.Name, err)
		}
		b, err := io.ReadAll(io.LimitReader(rc, limit-total+1))
		_ = rc.Close()
		if err != nil {
			return Parts{}, fmt.Errorf("%w: %s: %v", ErrMalformed, f.Name, err)
		}
		total += int64(len(b))
		if total > limit {
			return Parts{}, fmt.Errorf("%w: the files are larger than %d bytes", ErrMalformed, limit)
		}
		files[f.Name] = b
	}
	for _, name := range []string{RecordFile, SignatureFile, PDFFile} {
		if _, ok := files[name]; !ok {
			return Parts{}, fmt.Errorf("%w: the zip has no %s", ErrMalformed, name)
		}
	}
	var sig Signature
	dec := json.NewDecoder(bytes.NewReader(files[SignatureFile]))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&sig); err != nil {
		return Parts{}, fmt.Errorf("%w: %s: %v", ErrMalformed, SignatureFile, err)
	}
	return Parts{Record: files[RecordFile], PDF: files[PDFFile], Signature: sig}, nil
}

// Export encodes r canonically, signs it with the PDF and zips the three.
func Export(key ed25519.PrivateKey, r Record, pdf []byte) ([]byte, error) {
	r.Format = Format
	rec, err := Canonical(r)
	if err != nil {
		return nil, err
	}
	return Zip(Parts{Record: rec, PDF: pdf, Signature: Sign(key, rec, pdf)})
}

// Open unzips and verifies a bundle with the sender's public key.
func Open(pub ed25519.PublicKey, zipped []byte, limit int64) (Record, Parts, error) {
	p, err := Unzip(zipped, limit)
	if err != nil {
		return Record{}, Parts{}, err
	}
	r, err := Verify(pub, p.Record, p.PDF, p.Signature)
	if err != nil {
		return Record{}, Parts{}, err
	}
	return r, p, nil
}

// Hash is the bundle's identity for idempotent import: hex SHA-256 of the signed message.
func Hash(p Parts) string {
	sum := sha256.Sum256(SignedMessage(p.Record, p.PDF))
	return hex.EncodeToString(sum[:])
}
