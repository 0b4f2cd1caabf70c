// Package multipart implements S3 multipart uploads over KV. Each part is a
// KV value of its own; the upload record lists the part numbers received.
package multipart

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"tui/internal/kvstore"
	"tui/internal/objects"
	"tui/internal/s3"
)

// UploadLifetime is how long an unfinished upload and its parts are kept.
const UploadLifetime = 7 * 24 * time.Hour

const maxParts = 10000

// Upload is the stored record of a multipart upload.
type Upload struct {
	ID          string            `json:"id"`
	Bucket      string            `json:"bucket"`
	Key         string            `json:"key"`
	Initiated   time.Time         `json:"initiated"`
	ContentType string            `json:"ct,omitempty"`
	UserMeta    map[string]string `json:"meta,omitempty"`
	Parts       []int             `json:"parts,omitempty"`
}

// Service implements the multipart operations.
type Service struct {
	KV      *kvstore.Store
	Objects *objects.Service
	Log     *slog.Logger
}

func uploadKey(id string) string           { return "mpu/" + id }
func partPrefix(id string) string          { return "part/" + id + "/" }
func partKey(id string, number int) string { return fmt.Sprintf("%s%05d", partPrefix(id), number) }

// Create starts an upload and returns its ID.
func (s *Service) Create(ctx context.Context, bucket, key, contentType string, meta map[string]string) (*s3.InitiateMultipartUploadResult, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, err
	}
	up := Upload{ID: hex.EncodeToString(b[:]), Bucket: bucket, Key: key, Initiated: time.Now().UTC(), ContentType: contentType, UserMeta: meta}
	raw, _ := json.Marshal(up)
	if err := s.KV.Put(ctx, uploadKey(up.ID), raw, kvstore.PutOptions{TTL: UploadLifetime, Meta: map[string]any{"bucket": bucket, "initiated": up.Initiated.Unix()}}); err != nil {
		return nil, err
	}
	return &s3.InitiateMultipartUploadResult{Xmlns: s3.NS(), Bucket: bucket, Key: key, UploadID: up.ID}, nil
}

func (s *Service) load(ctx context.Context, id string) (*Upload, error) {
	raw, err := s.KV.Get(ctx, uploadKey(id))
	if errors.Is(err, kvstore.ErrNotFound) {
		return nil, s3.ErrNoSuchUpload
	}
	if err != nil {
		return nil, err
	}
	var up Upload
	return &up, json.Unmarshal(raw, &up)
}

// UploadPart stores one part and returns its ETag.
func (s *Service) UploadPart(ctx context.Context, id string, number int, body []byte) (string, error) {
	if number < 1 || number > maxParts {
		return "", s3.ErrInvalidArgument
	}
	up, err := s.load(ctx, id)
	if err != nil {
		return "", err
	}
	sum := md5.Sum(body)
	etag := `"` + hex.EncodeToString(sum[:]) + `"`
	remaining := time.Until(up.Initiated.Add(UploadLifetime))
	meta := map[string]any{"etag": etag, "size": len(body), "mtime": time.Now().Unix()}
	if err := s.KV.Put(ctx, partKey(id, number), body, kvstore.PutOptions{TTL: max(remaining, time.Hour), Meta: meta}); err != nil {
		return "", err
	}
	if !containsInt(up.Parts, number) {
		up.Parts = append(up.Parts, number)
		raw, _ := json.Marshal(up)
		if err := s.KV.Put(ctx, uploadKey(id), raw, kvstore.PutOptions{TTL: max(remaining, time.Hour)}); err != nil { // EXPECT kvrace
			return "", err
		}
	}
	return etag, nil
}

// ListParts returns one page of parts after marker. Part attributes are read
// from listed metadata.
func (s *Service) ListParts(ctx context.Context, id string, marker, max int) (*s3.ListPartsResult, error) {
	up, err := s.load(ctx, id)
	if err != nil {
		return nil, err
	}
	max = min(cmpOrInt(max, 1000), 1000)
	res := &s3.ListPartsResult{Xmlns: s3.NS(), Bucket: up.Bucket, Key: up.Key, UploadID: id, PartNumberMarker: marker, MaxParts: max}
	err = s.KV.Scan(ctx, partPrefix(id), maxParts, func(e kvstore.Entry) error {
		n, _ := strconv.Atoi(strings.TrimPrefix(e.Name, partPrefix(id)))
		if n <= marker {
			return nil
		}
		if len(res.Parts) == max {
			res.IsTruncated = true
			return errStop
		}
		p := s3.Part{PartNumber: n}
		p.ETag, _ = e.Meta["etag"].(string)
		if v, ok := e.Meta["size"].(float64); ok {
			p.Size = int64(v)
		}
		if v, ok := e.Meta["mtime"].(float64); ok {
			p.LastModified = time.Unix(int64(v), 0).UTC().Format(time.RFC3339)
		}
		res.Parts = append(res.Parts, p)
		res.NextPartNumberMarker = n
		return nil
	})
	if err != nil && !errors.Is(err, errStop) {
		return nil, err
	}
	return res, nil
}

var errStop = errors.New("stop")

// Complete assembles the named parts into the final object. The ETag is the
// MD5 of the concatenated part MD5s, suffixed with the part count.
func (s *Service) Complete(ctx context.Context, id string, req *s3.CompleteMultipartUpload) (*s3.CompleteMultipartUploadResult, error) {
	up, err := s.load(ctx, id)
	if err != nil {
		return nil, err
	}
	if len(req.Parts) == 0 {
		return nil, s3.ErrMalformedXML
	}
	var body bytes.Buffer
	digests := make([]byte, 0, md5.Size*len(req.Parts))
	prev := 0
	for _, p := range req.Parts {
		if p.PartNumber <= prev {
			return nil, s3.ErrInvalidPartOrder
		}
		prev = p.PartNumber
		chunk, err := s.KV.Get(ctx, partKey(id, p.PartNumber))
		if errors.Is(err, kvstore.ErrNotFound) {
			return nil, s3.ErrInvalidPart
		}
		if err != nil {
			return nil, err
		}
		sum := md5.Sum(chunk)
		if strings.Trim(p.ETag, `"`) != hex.EncodeToString(sum[:]) {
			return nil, s3.ErrInvalidPart
		}
		digests = append(digests, sum[:]...)
		body.Write(chunk)
		if body.Len() > objects.MaxObjectSize {
			return nil, s3.ErrEntityTooLarge
		}
	}
	final := md5.Sum(digests)
	if _, err := s.Objects.Put(ctx, objects.PutInput{Bucket: up.Bucket, Key: up.Key, Body: body.Bytes(), ContentType: up.ContentType, UserMeta: up.UserMeta}); err != nil {
		return nil, err
	}
	if err := s.discard(ctx, up); err != nil {
		s.Log.Warn("multipart cleanup", "upload", id, "err", err)
	}
	etag := fmt.Sprintf(`"%s-%d"`, hex.EncodeToString(final[:]), len(req.Parts))
	return &s3.CompleteMultipartUploadResult{Xmlns: s3.NS(), Bucket: up.Bucket, Key: up.Key, ETag: etag}, nil
}

// Abort discards an upload and its parts.
func (s *Service) Abort(ctx context.Context, id string) error {
	up, err := s.load(ctx, id)
	if err != nil {
		return err
	}
	return s.discard(ctx, up)
}

func (s *Service) discard(ctx context.Context, up *Upload) error {
	keys := []string{uploadKey(up.ID)}
	err := s.KV.Scan(ctx, partPrefix(up.ID), maxParts, func(e kvstore.Entry) error {
		keys = append(keys, e.Name)
		return nil
	})
	if err != nil {
		return err
	}
	return s.KV.BulkDelete(ctx, keys)
}

// Sweep aborts uploads older than maxAge. It runs from the janitor command.
func (s *Service) Sweep(ctx context.Context, maxAge time.Duration) (int, error) {
	aborted := 0
	cursor := ""
	for {
		page, err := s.KV.ListPage(ctx, "mpu/", cursor, 1000) // EXPECT kvlist
		if err != nil {
			return aborted, err
		}
		if len(page.Entries) == 0 {
			return aborted, nil
		}
		for _, e := range page.Entries {
			raw, err := s.KV.Get(ctx, e.Name) // EXPECT kvlist
			if err != nil {
				continue
			}
			var up Upload
			if json.Unmarshal(raw, &up) != nil || time.Since(up.Initiated) < maxAge {
				continue
			}
			if err := s.discard(ctx, &up); err != nil {
				s.Log.Warn("sweep upload", "upload", up.ID, "err", err)
				continue
			}
			aborted++
		}
		if err := s.KV.Put(ctx, "janitor/mpu-cursor", []byte(page.Cursor), kvstore.PutOptions{TTL: time.Hour}); err != nil { // EXPECT kvhotkey
			return aborted, err
		}
		cursor = page.Cursor
		if cursor == "" {
			return aborted, nil
		}
	}
}

// SweepByMetadata is the budgeted variant used by the hourly cron: it reads
// the initiation time from listed metadata and stops after maxPages pages.
func (s *Service) SweepByMetadata(ctx context.Context, maxAge time.Duration, maxPages int) (int, string, error) {
	var stale []*Upload
	cursor := ""
	for range maxPages {
		page, err := s.KV.ListPage(ctx, "mpu/", cursor, 1000)
		if err != nil {
			return 0, cursor, err
		}
		for _, e := range page.Entries {
			ts, _ := e.Meta["initiated"].(float64)
			if ts > 0 && time.Since(time.Unix(int64(ts), 0)) > maxAge {
				stale = append(stale, &Upload{ID: strings.TrimPrefix(e.Name, "mpu/")})
			}
		}
		cursor = page.Cursor
		if cursor == "" {
			break
		}
	}
	for _, up := range stale {
		if err := s.discard(ctx, up); err != nil {
			return 0, cursor, err
		}
	}
	return len(stale), cursor, nil
}

func containsInt(xs []int, v int) bool {
	for _, x := range xs {
		if x == v {
			return true
		}
	}
	return false
}

func cmpOrInt(v, def int) int {
	if v <= 0 {
		return def
	}
	return v
}
