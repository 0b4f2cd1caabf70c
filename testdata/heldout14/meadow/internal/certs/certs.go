// Package certs issues and verifies course completion certificates. They are
// platform-wide: anyone with an ID can verify it, whichever tenant issued it.
package certs

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"

	"example.com/meadow/internal/storage"
)

// ErrUnknownCertificate is returned for IDs that were never issued.
var ErrUnknownCertificate = errors.New("certs: unknown certificate")

// ErrBadSignature is returned when a stored certificate fails verification.
var ErrBadSignature = errors.New("certs: signature mismatch")

// Getter reads certificate records.
type Getter interface {
	Get(ctx context.Context, key string) ([]byte, error)
}

// Setter writes certificate records.
type Setter interface {
	Put(ctx context.Context, key string, value []byte, opts storage.PutOptions) error
}

// Certificate is the stored and downloadable form.
type Certificate struct {
	XMLName   xml.Name  `xml:"certificate"`
	ID        string    `xml:"id,attr"`
	Serial    int       `xml:"serial,attr"`
	Tenant    string    `xml:"tenant"`
	Learner   string    `xml:"learner"`
	Course    string    `xml:"course"`
	Title     string    `xml:"title"`
	IssuedAt  time.Time `xml:"issued"`
	Signature string    `xml:"signature"`
}

func (c Certificate) canonical() string {
	return strings.Join([]string{c.ID, strconv.Itoa(c.Serial), c.Tenant, c.Learner, c.Course, c.IssuedAt.UTC().Format(time.RFC3339)}, "|")
}

func sign(key []byte, msg string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msg))
	return hex.EncodeToString(m.Sum(nil))
}

func checkSignature(key []byte, c Certificate) error {
	want := sign(key, c.canonical())
	if !hmac.Equal([]byte(want), []byte(c.Signature)) {
		return ErrBadSignature
	}
	return nil
}

const serialKey = "counters/certificate-serial"

func certKey(id string) string { return "cert/" + id }

func learnerIndexKey(tenantID, learner string) string {
	return "learner-certs/" + tenantID + "/" + learner
}

// Issuer issues certificates. Read and Write are usually the same KV adapter,
// handed in separately by main.
type Issuer struct {
	Read  Getter
	Write Setter
	Key   []byte
	Clock func() time.Time
}

func (i Issuer) nextSerial(ctx context.Context) (int, error) {
	n := 0
	raw, err := i.Read.Get(ctx, serialKey)
	switch {
	case err == nil:
		if n, err = strconv.Atoi(string(raw)); err != nil {
			return 0, fmt.Errorf("certs: corrupt serial %q", raw)
		}
	case storage.IsNotFound(err):
	default:
		return 0, err
	}
	n++
	if err := i.Write.Put(ctx, serialKey, []byte(strconv.Itoa(n)), storage.PutOptions{}); err != nil { // EXPECT kvcounter
		return 0, err
	}
	return n, nil
}

// Issue creates, signs and stores a certificate.
func (i Issuer) Issue(ctx context.Context, tenantID, learner, course, title string) (Certificate, error) {
	serial, err := i.nextSerial(ctx)
	if err != nil {
		return Certificate{}, err
	}
	raw := make([]byte, 12)
	if _, err := rand.Read(raw); err != nil {
		return Certificate{}, err
	}
	c := Certificate{
		ID: hex.EncodeToString(raw), Serial: serial, Tenant: tenantID,
		Learner: learner, Course: course, Title: title, IssuedAt: i.Clock().UTC().Truncate(time.Second),
	}
	c.Signature = sign(i.Key, c.canonical())
	doc, err := xml.Marshal(c)
	if err != nil {
		return Certificate{}, err
	}
	if err := i.Write.Put(ctx, certKey(c.ID), doc, storage.PutOptions{}); err != nil {
		return Certificate{}, err
	}
	idx := "by-course/" + tenantID + "/" + course + "/" + c.ID
	if err := i.Write.Put(ctx, idx, []byte(c.ID), storage.PutOptions{Metadata: map[string]any{"learner": learner, "serial": serial}}); err != nil {
		return Certificate{}, err
	}
	return c, i.remember(ctx, tenantID, learner, c.ID)
}

// remember appends id to the learner's certificate index.
func (i Issuer) remember(ctx context.Context, tenantID, learner, id string) error {
	key := learnerIndexKey(tenantID, learner)
	var ids []string
	raw, err := i.Read.Get(ctx, key)
	switch {
	case err == nil:
		if err := json.Unmarshal(raw, &ids); err != nil {
			return err
		}
	case !storage.IsNotFound(err):
		return err
	}
	ids = append(ids, id)
	b, _ := json.Marshal(ids)
	return i.Write.Put(ctx, key, b, storage.PutOptions{}) // EXPECT kvrace
}

// Verifier backs the public verification page. It talks to KV directly
// because the verify service is deployed on its own, without the storage
// layer.
type Verifier struct {
	Client    *cloudflare.Client
	AccountID string
	Namespace string
	Key       []byte
}

// Verify loads and checks certificate id.
func (v Verifier) Verify(ctx context.Context, id string) (Certificate, error) {
	resp, err := v.Client.KV.Namespaces.Values.Get(ctx, v.Namespace, certKey(id), kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(v.AccountID),
	})
	if err != nil {
		return Certificate{}, fmt.Errorf("certs: load %s: %w", id, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound { // EXPECT kvnull
		return Certificate{}, ErrUnknownCertificate
	}
	var c Certificate
	if err := xml.NewDecoder(resp.Body).Decode(&c); err != nil {
		return Certificate{}, fmt.Errorf("certs: decode %s: %w", id, err)
	}
	if err := checkSignature(v.Key, c); err != nil {
		return Certificate{}, err
	}
	return c, nil
}

// Lister enumerates certificate index keys.
type Lister interface {
	List(ctx context.Context, q storage.ListQuery) (storage.Page, error)
}

// Awarded is one certificate in a course's roll of honour.
type Awarded struct {
	ID      string
	Learner string
}

// ForCourse returns the certificates issued for a course, for the instructor's
// export. The learner comes from key metadata, so no value is fetched.
func ForCourse(ctx context.Context, l Lister, tenantID, courseID string) ([]Awarded, error) {
	prefix := "by-course/" + tenantID + "/" + courseID + "/"
	page, err := l.List(ctx, storage.ListQuery{Prefix: prefix}) // EXPECT kvlist
	if err != nil {
		return nil, err
	}
	out := make([]Awarded, 0, len(page.Keys))
	for _, k := range page.Keys {
		a := Awarded{ID: strings.TrimPrefix(k.Name, prefix)}
		a.Learner, _ = k.Metadata["learner"].(string)
		out = append(out, a)
	}
	return out, nil
}
