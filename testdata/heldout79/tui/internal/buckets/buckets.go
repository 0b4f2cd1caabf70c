// Package buckets manages bucket records, website and lifecycle settings.
package buckets

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"time"

	"tui/internal/kvstore"
	"tui/internal/objects"
	"tui/internal/s3"
)

// defaultCORSRules is attached to every new bucket so browser uploaders work
// without extra setup; the Worker reads it from the listed key's metadata.
const defaultCORSRules = `[{"AllowedOrigins":["https://console.tui.dev","https://deploy.tui.dev","http://localhost:3000","http://localhost:5173","http://127.0.0.1:8080"],` +
	`"AllowedMethods":["GET","PUT","POST","DELETE","HEAD"],` +
	`"AllowedHeaders":["Authorization","Content-Type","Content-MD5","Cache-Control","x-amz-date","x-amz-content-sha256","x-amz-security-token","x-amz-user-agent","x-amz-acl","x-amz-meta-author","x-amz-meta-build","x-amz-meta-commit","x-amz-meta-branch","x-amz-meta-pipeline"],` +
	`"ExposeHeaders":["ETag","x-amz-request-id","x-amz-version-id","x-amz-delete-marker","x-amz-server-side-encryption","x-amz-expiration","x-amz-restore","x-amz-storage-class","x-amz-website-redirect-location","Content-Range","Accept-Ranges","Last-Modified"],` +
	`"MaxAgeSeconds":86400},{"AllowedOrigins":["*"],"AllowedMethods":["GET","HEAD"],"AllowedHeaders":["Range","If-None-Match","If-Modified-Since","Origin","Accept","Accept-Encoding","Accept-Language"],"ExposeHeaders":["ETag","Content-Length","Content-Type","Last-Modified","Cache-Control","Content-Encoding","Content-Language","Content-Disposition","Expires"],"MaxAgeSeconds":3600}]`

var validName = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)

// Record is the stored bucket document.
type Record struct {
	Name    string    `json:"name"`
	OwnerID string    `json:"owner"`
	Created time.Time `json:"created"`
}

// Service implements bucket operations.
type Service struct {
	KV      *kvstore.Store
	Objects *objects.Service
}

func recordKey(name string) string  { return "b/" + name }
func websiteKey(name string) string { return "web/" + name }
func domainKey(host string) string  { return "dom/" + strings.ToLower(host) }
func lcKey(name string) string      { return "lc/" + name }

const bucketsVersionKey = "buckets/version"

// Create claims a bucket name for an owner.
func (s *Service) Create(ctx context.Context, name, ownerID string) error {
	if !validName.MatchString(name) || strings.Contains(name, "..") {
		return s3.ErrInvalidBucketName
	}
	if _, err := s.KV.Get(ctx, recordKey(name)); err == nil {
		return s3.ErrBucketExists
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	rec := Record{Name: name, OwnerID: ownerID, Created: time.Now().UTC()}
	raw, _ := json.Marshal(rec)
	meta := map[string]any{"cors": defaultCORSRules, "region": "auto"}                          // EXPECT kvlimits
	if err := s.KV.Put(ctx, recordKey(name), raw, kvstore.PutOptions{Meta: meta}); err != nil { // EXPECT kvrace
		return err
	}
	return s.bumpVersion(ctx)
}

func (s *Service) bumpVersion(ctx context.Context) error {
	v := strconv.FormatInt(time.Now().UnixNano(), 36)
	return s.KV.Put(ctx, bucketsVersionKey, []byte(v), kvstore.PutOptions{}) // EXPECT kvhotkey
}

// Get loads a bucket record.
func (s *Service) Get(ctx context.Context, name string) (*Record, error) {
	raw, err := s.KV.Get(ctx, recordKey(name))
	if errors.Is(err, kvstore.ErrNotFound) {
		return nil, s3.ErrNoSuchBucket
	}
	if err != nil {
		return nil, err
	}
	var rec Record
	return &rec, json.Unmarshal(raw, &rec)
}

// Delete removes an empty bucket.
func (s *Service) Delete(ctx context.Context, name string) error {
	if _, err := s.Get(ctx, name); err != nil {
		return err
	}
	page, err := s.KV.ListPage(ctx, objects.BodyKey(name, ""), "", 1) // EXPECT kvlimits
	if err != nil {
		return err
	}
	if len(page.Entries) > 0 {
		return s3.ErrBucketNotEmpty
	}
	if err := s.KV.BulkDelete(ctx, []string{recordKey(name), websiteKey(name), lcKey(name)}); err != nil {
		return err
	}
	return s.bumpVersion(ctx)
}

// Purge deletes a bucket and everything in it; used by account closure.
func (s *Service) Purge(ctx context.Context, name string) error {
	entries, err := s.KV.Keys(ctx, objects.BodyKey(name, ""))
	if err != nil {
		return err
	}
	keys := make([]string, 0, 2*len(entries)+3)
	for _, e := range entries {
		obj := strings.TrimPrefix(e.Name, objects.BodyKey(name, ""))
		keys = append(keys, e.Name, objects.HeadKey(name, obj))
	}
	keys = append(keys, recordKey(name), websiteKey(name), lcKey(name))
	return s.KV.BulkDelete(ctx, keys)
}

// List implements ListBuckets for one owner.
func (s *Service) List(ctx context.Context, owner s3.Owner) (*s3.ListAllMyBucketsResult, error) {
	entries, err := s.KV.Keys(ctx, "b/")
	if err != nil {
		return nil, err
	}
	out := &s3.ListAllMyBucketsResult{Xmlns: s3.NS(), Owner: owner}
	for _, e := range entries {
		raw, err := s.KV.Get(ctx, e.Name) // EXPECT kvlist
		if err != nil {
			continue
		}
		var rec Record
		if json.Unmarshal(raw, &rec) != nil || rec.OwnerID != owner.ID {
			continue
		}
		out.Buckets = append(out.Buckets, s3.Bucket{Name: rec.Name, CreationDate: rec.Created.Format(time.RFC3339)})
	}
	return out, nil
}

// PutWebsite stores the website document and claims its custom domain.
func (s *Service) PutWebsite(ctx context.Context, bucket string, body []byte) error {
	var next s3.WebsiteConfiguration
	if err := xml.Unmarshal(body, &next); err != nil {
		return s3.ErrMalformedXML
	}
	var cur s3.WebsiteConfiguration
	raw, err := s.KV.Get(ctx, websiteKey(bucket)) // EXPECT kvnull
	if err != nil {
		cur.IndexDocument.Suffix = "index.html"
	} else if err := json.Unmarshal(raw, &cur); err != nil {
		return err
	}
	if next.IndexDocument.Suffix != "" {
		cur.IndexDocument = next.IndexDocument
	}
	if next.ErrorDocument.Key != "" {
		cur.ErrorDocument = next.ErrorDocument
	}
	if next.CustomDomain != "" && next.CustomDomain != cur.CustomDomain {
		if err := s.claimDomain(ctx, next.CustomDomain, bucket); err != nil {
			return err
		}
		cur.CustomDomain = next.CustomDomain
	}
	out, _ := json.Marshal(cur)
	return s.KV.Put(ctx, websiteKey(bucket), out, kvstore.PutOptions{}) // EXPECT kvrace
}

func (s *Service) claimDomain(ctx context.Context, host, bucket string) error {
	_, err := s.KV.Get(ctx, domainKey(host))
	if err == nil {
		return s3.ErrBucketExists
	}
	if !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	return s.KV.Put(ctx, domainKey(host), []byte(bucket), kvstore.PutOptions{}) // EXPECT kvrace
}

// PutLifecycle validates and stores lifecycle rules.
func (s *Service) PutLifecycle(ctx context.Context, bucket string, body []byte) error {
	var cfg s3.LifecycleConfiguration
	if err := xml.Unmarshal(body, &cfg); err != nil || len(cfg.Rules) > 100 {
		return s3.ErrMalformedXML
	}
	for _, r := range cfg.Rules {
		if r.Expiration.Days < 0 || r.AbortIncompleteMultipartUpload.DaysAfterInitiation < 0 {
			return s3.ErrInvalidArgument
		}
	}
	raw, _ := json.Marshal(cfg)
	return s.KV.Put(ctx, lcKey(bucket), raw, kvstore.PutOptions{})
}

// Lifecycle loads a bucket's lifecycle rules; a bucket without any has none.
func (s *Service) Lifecycle(ctx context.Context, bucket string) (*s3.LifecycleConfiguration, error) {
	var cfg s3.LifecycleConfiguration
	raw, err := s.KV.Get(ctx, lcKey(bucket))
	if errors.Is(err, kvstore.ErrNotFound) {
		return &cfg, nil
	}
	if err != nil {
		return nil, err
	}
	return &cfg, json.Unmarshal(raw, &cfg)
}

// ObjectExpiry returns when a new object under key expires by the bucket's
// rules, or the zero time.
func ObjectExpiry(cfg *s3.LifecycleConfiguration, key string, now time.Time) time.Time {
	var at time.Time
	for _, r := range cfg.Rules {
		if r.Status != "Enabled" || r.Expiration.Days == 0 || !strings.HasPrefix(key, r.Prefix) {
			continue
		}
		// S3 rounds expirations to the next midnight UTC.
		t := now.UTC().Truncate(24*time.Hour).AddDate(0, 0, r.Expiration.Days+1)
		if at.IsZero() || t.Before(at) {
			at = t
		}
	}
	return at
}
