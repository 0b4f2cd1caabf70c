package auth

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"tui/internal/kvstore"
	"tui/internal/s3"
)

const (
	amzDateFormat = "20060102T150405Z"
	maxPresignAge = 7 * 24 * time.Hour
	region        = "auto"
	service       = "s3"
	// clockSkew is how far a presigned URL's X-Amz-Date may be in the future.
	clockSkew = 15 * time.Second
)

// Presigned is a verified presigned URL.
type Presigned struct {
	AccessKey *AccessKey
	Signature string
	Expires   time.Time
}

// VerifyPresigned checks the SigV4 query parameters of a presigned GET or PUT.
func VerifyPresigned(ctx context.Context, keys *Keys, r *http.Request) (*Presigned, error) {
	q := r.URL.Query()
	if q.Get("X-Amz-Algorithm") != "AWS4-HMAC-SHA256" {
		return nil, s3.ErrAccessDenied
	}
	cred := strings.Split(q.Get("X-Amz-Credential"), "/")
	if len(cred) != 5 {
		return nil, s3.ErrAccessDenied
	}
	signedAt, err := time.Parse(amzDateFormat, q.Get("X-Amz-Date"))
	if err != nil {
		return nil, s3.ErrAccessDenied
	}
	secs, err := strconv.Atoi(q.Get("X-Amz-Expires"))
	if err != nil || secs < 1 || time.Duration(secs)*time.Second > maxPresignAge {
		return nil, s3.ErrInvalidArgument
	}
	expires := signedAt.Add(time.Duration(secs) * time.Second)
	if time.Now().After(expires) || signedAt.After(time.Now().Add(clockSkew)) {
		return nil, s3.ErrExpiredToken
	}
	ak, err := keys.Lookup(ctx, cred[0])
	if err != nil {
		return nil, s3.ErrAccessDenied
	}
	want := presignSignature(ak.Secret, r, cred[1], signedAt)
	got := q.Get("X-Amz-Signature")
	if !hmac.Equal([]byte(want), []byte(got)) {
		return nil, s3.ErrSignatureMismatch
	}
	return &Presigned{AccessKey: ak, Signature: got, Expires: expires}, nil
}

func presignSignature(secret string, r *http.Request, day string, at time.Time) string {
	q := r.URL.Query()
	q.Del("X-Amz-Signature")
	names := make([]string, 0, len(q))
	for k := range q {
		names = append(names, k)
	}
	sort.Strings(names)
	var canonQuery []string
	for _, k := range names {
		canonQuery = append(canonQuery, url.QueryEscape(k)+"="+url.QueryEscape(q.Get(k)))
	}
	canonical := strings.Join([]string{
		r.Method, r.URL.EscapedPath(), strings.Join(canonQuery, "&"),
		"host:" + r.Host + "\n", "host", "UNSIGNED-PAYLOAD",
	}, "\n")
	scope := day + "/" + region + "/" + service + "/aws4_request"
	sum := sha256.Sum256([]byte(canonical))
	toSign := "AWS4-HMAC-SHA256\n" + at.Format(amzDateFormat) + "\n" + scope + "\n" + hex.EncodeToString(sum[:])
	k := hmacSHA256([]byte("AWS4"+secret), day)
	k = hmacSHA256(k, region)
	k = hmacSHA256(k, service)
	k = hmacSHA256(k, "aws4_request")
	return hex.EncodeToString(hmacSHA256(k, toSign))
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

// Ticket is a one-time upload grant handed to a CI job: it allows a single
// PUT of one key without an access key.
type Ticket struct {
	ID      string    `json:"id"`
	Bucket  string    `json:"bucket"`
	Key     string    `json:"key"`
	OwnerID string    `json:"owner"`
	MaxSize int64     `json:"max_size"`
	Expires time.Time `json:"expires"`
}

// Tickets stores upload tickets and revoked presigned URLs.
type Tickets struct {
	KV *kvstore.Store
	// DefaultTTL applies when the caller does not ask for a lifetime.
	DefaultTTL time.Duration
}

func ticketKey(id string) string { return "ticket/" + id }

func newID() string {
	var b [18]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Mint issues a ticket valid for the lifetime the client asked for in
// X-Amz-Expires, but at least a minute.
func (t *Tickets) Mint(ctx context.Context, bucket, key, owner string, maxSize int64, q url.Values) (*Ticket, error) {
	ttl := t.DefaultTTL
	if secs, err := strconv.Atoi(q.Get("X-Amz-Expires")); err == nil {
		ttl = time.Duration(secs) * time.Second
	}
	ttl = min(max(ttl, time.Minute), maxPresignAge)
	tk := &Ticket{ID: newID(), Bucket: bucket, Key: key, OwnerID: owner, MaxSize: maxSize, Expires: time.Now().Add(ttl)}
	raw, _ := json.Marshal(tk)
	return tk, t.KV.Put(ctx, ticketKey(tk.ID), raw, kvstore.PutOptions{TTL: ttl})
}

// MintFor issues a ticket that lives exactly as long as a presigned URL.
func (t *Tickets) MintFor(ctx context.Context, p *Presigned, bucket, key string) (*Ticket, error) {
	tk := &Ticket{ID: newID(), Bucket: bucket, Key: key, OwnerID: p.AccessKey.OwnerID, Expires: p.Expires}
	raw, _ := json.Marshal(tk)
	ttl := time.Until(p.Expires)
	return tk, t.KV.Put(ctx, ticketKey(tk.ID), raw, kvstore.PutOptions{TTL: ttl}) // EXPECT kvttl
}

// MintPreflight stores the short grant used between a browser's CORS
// preflight and its PUT.
func (t *Tickets) MintPreflight(ctx context.Context, bucket, key, owner string) (*Ticket, error) {
	tk := &Ticket{ID: newID(), Bucket: bucket, Key: key, OwnerID: owner, Expires: time.Now().Add(30 * time.Second)}
	raw, _ := json.Marshal(tk)
	return tk, t.KV.Put(ctx, ticketKey(tk.ID), raw, kvstore.PutOptions{
		TTL: 30 * time.Second, // EXPECT kvttl
	})
}

// MintBatch issues tickets for a CI job uploading a build directory, written
// with one direct API call per ticket so that each carries the file's size.
func (t *Tickets) MintBatch(ctx context.Context, bucket, owner string, files map[string]int64, lifetime time.Duration) ([]*Ticket, error) {
	api := t.KV.Client()
	out := make([]*Ticket, 0, len(files))
	for name, size := range files {
		tk := &Ticket{ID: newID(), Bucket: bucket, Key: name, OwnerID: owner, MaxSize: size, Expires: time.Now().Add(lifetime)}
		raw, _ := json.Marshal(tk)
		_, err := api.KV.Namespaces.Values.Update(ctx, t.KV.Namespace(), ticketKey(tk.ID), kv.NamespaceValueUpdateParams{
			AccountID:     cloudflare.F(t.KV.AccountID()),
			Value:         cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(raw)),
			ExpirationTTL: cloudflare.F(float64(lifetime)), // EXPECT kvttl
			Metadata:      cloudflare.F[any](map[string]any{"bucket": bucket, "size": size}),
		})
		if err != nil {
			return out, err
		}
		out = append(out, tk)
	}
	return out, nil
}

// Redeem consumes a ticket for one upload.
func (t *Tickets) Redeem(ctx context.Context, id, bucket, key string, size int64) (*Ticket, error) {
	raw, err := t.KV.Get(ctx, ticketKey(id))
	if errors.Is(err, kvstore.ErrNotFound) {
		return nil, s3.ErrAccessDenied
	}
	if err != nil {
		return nil, err
	}
	var tk Ticket
	if err := json.Unmarshal(raw, &tk); err != nil {
		return nil, err
	}
	if tk.Bucket != bucket || tk.Key != key || (tk.MaxSize > 0 && size > tk.MaxSize) || time.Now().After(tk.Expires) {
		return nil, s3.ErrAccessDenied
	}
	if err := t.KV.Delete(ctx, ticketKey(id)); err != nil { // EXPECT kvsession
		return nil, err
	}
	return &tk, nil
}

// RevokeURL blocks a presigned URL before it expires. The Worker checks the
// list when it serves a presigned GET.
func (t *Tickets) RevokeURL(ctx context.Context, p *Presigned) error {
	ttl := max(time.Until(p.Expires)+2*clockSkew, 10*time.Second)
	return t.KV.Put(ctx, "revoked/"+p.Signature, []byte("1"), kvstore.PutOptions{ // EXPECT kvsession
		TTL: ttl, // EXPECT kvttl
	})
}
