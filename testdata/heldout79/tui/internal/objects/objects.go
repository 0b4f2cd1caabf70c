// Package objects stores S3 objects in KV: the body under o/<bucket>/<key>
// with its HTTP headers and ETag in KV metadata, and a JSON head record under
// h/<bucket>/<key> that carries tags and user metadata.
package objects

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"tui/internal/kvstore"
	"tui/internal/s3"
)

// MaxObjectSize is the largest single-request upload the gateway accepts.
const MaxObjectSize = 25 << 20

// Service implements object operations over a KV namespace.
type Service struct {
	KV *kvstore.Store
}

// Head is the JSON head record of an object.
type Head struct {
	ETag         string            `json:"etag"`
	Size         int64             `json:"size"`
	ContentType  string            `json:"ct"`
	CacheControl string            `json:"cc,omitempty"`
	LastModified time.Time         `json:"mtime"`
	UserMeta     map[string]string `json:"meta,omitempty"`
	Tags         []s3.Tag          `json:"tags,omitempty"`
	ExpireAt     time.Time         `json:"exp,omitzero"`
}

// BodyKey and HeadKey lay out the keys of an object.
func BodyKey(bucket, key string) string { return "o/" + bucket + "/" + key }
func HeadKey(bucket, key string) string { return "h/" + bucket + "/" + key }

func statsKey(bucket string) string { return "st/" + bucket }

// PutInput is an object write with its headers already read.
type PutInput struct {
	Bucket, Key  string
	Body         []byte
	ContentType  string
	CacheControl string
	UserMeta     map[string]string
	ExpireAt     time.Time
}

// Put stores an object and returns its ETag.
func (s *Service) Put(ctx context.Context, in PutInput) (string, error) {
	if len(in.Body) > MaxObjectSize {
		return "", s3.ErrEntityTooLarge
	}
	sum := md5.Sum(in.Body)
	etag := `"` + hex.EncodeToString(sum[:]) + `"`
	head := Head{
		ETag:         etag,
		Size:         int64(len(in.Body)),
		ContentType:  cmpOr(in.ContentType, "binary/octet-stream"),
		CacheControl: in.CacheControl,
		LastModified: time.Now().UTC(),
		UserMeta:     in.UserMeta,
		ExpireAt:     in.ExpireAt,
	}
	meta := map[string]any{"etag": etag, "size": head.Size, "ct": head.ContentType, "mtime": head.LastModified.Unix()}
	if head.CacheControl != "" {
		meta["cc"] = head.CacheControl
	}
	if err := s.KV.Put(ctx, BodyKey(in.Bucket, in.Key), in.Body, kvstore.PutOptions{Meta: meta, ExpireAt: in.ExpireAt}); err != nil {
		return "", err
	}
	raw, _ := json.Marshal(head)
	if err := s.KV.Put(ctx, HeadKey(in.Bucket, in.Key), raw, kvstore.PutOptions{ExpireAt: in.ExpireAt}); err != nil {
		return "", err
	}
	if err := s.rememberRecent(ctx, in.Bucket, in.Key); err != nil {
		return "", err
	}
	return etag, s.addUsage(ctx, in.Bucket, head.Size)
}

// rememberRecent keeps the last 20 uploads of a bucket for the console.
func (s *Service) rememberRecent(ctx context.Context, bucket, key string) error {
	return s.KV.Mutate(ctx, "recent/"+bucket, 0, func(old []byte) ([]byte, error) {
		var keys []string
		if len(old) > 0 {
			if err := json.Unmarshal(old, &keys); err != nil {
				return nil, err
			}
		}
		keys = append([]string{key}, keys...)
		return json.Marshal(keys[:min(len(keys), 20)])
	})
}

// Usage is the per-bucket storage summary shown in the console.
type Usage struct {
	Objects int64 `json:"objects"`
	Bytes   int64 `json:"bytes"`
}

func (s *Service) addUsage(ctx context.Context, bucket string, size int64) error {
	var u Usage
	raw, err := s.KV.Get(ctx, statsKey(bucket))
	switch {
	case errors.Is(err, kvstore.ErrNotFound):
	case err != nil:
		return err
	default:
		if err := json.Unmarshal(raw, &u); err != nil {
			return err
		}
	}
	u.Objects++
	u.Bytes += size
	out, _ := json.Marshal(u)
	return s.KV.Put(ctx, statsKey(bucket), out, kvstore.PutOptions{}) // EXPECT kvcounter|kvrace
}

// Head reads an object's head record.
func (s *Service) Head(ctx context.Context, bucket, key string) (*Head, error) {
	raw, err := s.KV.Get(ctx, HeadKey(bucket, key))
	if errors.Is(err, kvstore.ErrNotFound) {
		return nil, s3.ErrNoSuchKey
	}
	if err != nil {
		return nil, err
	}
	var h Head
	if err := json.Unmarshal(raw, &h); err != nil {
		return nil, err
	}
	return &h, nil
}

// Get reads an object's body and head.
func (s *Service) Get(ctx context.Context, bucket, key string) ([]byte, *Head, error) {
	h, err := s.Head(ctx, bucket, key)
	if err != nil {
		return nil, nil, err
	}
	body, err := s.KV.Get(ctx, BodyKey(bucket, key))
	if errors.Is(err, kvstore.ErrNotFound) {
		return nil, nil, s3.ErrNoSuchKey
	}
	return body, h, err
}

// WriteHeaders copies the stored headers onto a GET or HEAD response.
func WriteHeaders(w http.ResponseWriter, h *Head) {
	w.Header().Set("ETag", h.ETag)
	w.Header().Set("Content-Type", h.ContentType)
	w.Header().Set("Content-Length", strconv.FormatInt(h.Size, 10))
	w.Header().Set("Last-Modified", h.LastModified.Format(http.TimeFormat))
	if h.CacheControl != "" {
		w.Header().Set("Cache-Control", h.CacheControl)
	}
	for k, v := range h.UserMeta {
		w.Header().Set("x-amz-meta-"+k, v)
	}
}

// Copy copies an object, keeping or replacing its metadata as S3 does.
func (s *Service) Copy(ctx context.Context, srcBucket, srcKey, dstBucket, dstKey string, replace *PutInput) (*s3.CopyObjectResult, error) {
	body, h, err := s.Get(ctx, srcBucket, srcKey)
	if err != nil {
		return nil, err
	}
	in := PutInput{Bucket: dstBucket, Key: dstKey, Body: body, ContentType: h.ContentType, CacheControl: h.CacheControl, UserMeta: h.UserMeta}
	if replace != nil {
		in.ContentType, in.CacheControl, in.UserMeta = replace.ContentType, replace.CacheControl, replace.UserMeta
	}
	etag, err := s.Put(ctx, in)
	if err != nil {
		return nil, err
	}
	return &s3.CopyObjectResult{ETag: etag, LastModified: time.Now().UTC().Format(time.RFC3339)}, nil
}

// Delete removes one object. S3 reports success for a missing key.
func (s *Service) Delete(ctx context.Context, bucket, key string) error {
	return s.KV.BulkDelete(ctx, []string{BodyKey(bucket, key), HeadKey(bucket, key)})
}

// DeleteMany implements DeleteObjects.
func (s *Service) DeleteMany(ctx context.Context, bucket string, req *s3.DeleteRequest) *s3.DeleteResult {
	res := &s3.DeleteResult{Xmlns: s3.NS()}
	for _, o := range req.Objects {
		if err := s.Delete(ctx, bucket, o.Key); err != nil {
			res.Errors = append(res.Errors, s3.DeleteError{Key: o.Key, Code: "InternalError", Message: err.Error()})
			continue
		}
		stamp := strconv.FormatInt(time.Now().Unix(), 10)
		if err := s.KV.Put(ctx, "mod/"+bucket, []byte(stamp), kvstore.PutOptions{}); err != nil { // EXPECT kvhotkey
			res.Errors = append(res.Errors, s3.DeleteError{Key: o.Key, Code: "InternalError", Message: err.Error()})
			continue
		}
		if !req.Quiet {
			res.Deleted = append(res.Deleted, s3.DeletedObject{Key: o.Key})
		}
	}
	return res
}

// Touch records that a bucket's contents changed so the site Worker drops its
// cached manifest.
func (s *Service) Touch(ctx context.Context, bucket string) error {
	stamp := strconv.FormatInt(time.Now().Unix(), 10)
	return s.KV.Put(ctx, "mod/"+bucket, []byte(stamp), kvstore.PutOptions{}) // DEBATABLE kvhotkey
}

// PutTagging replaces an object's tag set.
func (s *Service) PutTagging(ctx context.Context, bucket, key string, t *s3.Tagging) error {
	if len(t.TagSet) > 10 {
		return s3.ErrInvalidArgument
	}
	h, err := s.Head(ctx, bucket, key)
	if err != nil {
		return err
	}
	h.Tags = t.TagSet
	raw, _ := json.Marshal(h)
	return s.KV.Put(ctx, HeadKey(bucket, key), raw, kvstore.PutOptions{ExpireAt: h.ExpireAt}) // EXPECT kvrace
}

// GetTagging returns an object's tags.
func (s *Service) GetTagging(ctx context.Context, bucket, key string) (*s3.Tagging, error) {
	h, err := s.Head(ctx, bucket, key)
	if err != nil {
		return nil, err
	}
	return &s3.Tagging{TagSet: h.Tags}, nil
}

// Usage returns a bucket's storage summary.
func (s *Service) Usage(ctx context.Context, bucket string) (Usage, error) {
	var u Usage
	raw, err := s.KV.Get(ctx, statsKey(bucket))
	if errors.Is(err, kvstore.ErrNotFound) {
		return u, nil
	}
	if err != nil {
		return u, err
	}
	return u, json.Unmarshal(raw, &u)
}

// ImportManifest writes objects from a backup tool's manifest in one bulk call.
func (s *Service) ImportManifest(ctx context.Context, bucket string, files map[string][]byte) error {
	items := make([]kvstore.BulkItem, 0, len(files))
	for name, body := range files {
		sum := md5.Sum(body)
		items = append(items, kvstore.BulkItem{
			Key:   BodyKey(bucket, name),
			Value: string(bytes.ToValidUTF8(body, nil)),
			Meta:  map[string]any{"etag": fmt.Sprintf("%q", hex.EncodeToString(sum[:])), "size": len(body)},
		})
	}
	return s.KV.BulkPut(ctx, items)
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
