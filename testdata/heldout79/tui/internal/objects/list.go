package objects

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"time"

	"tui/internal/kvstore"
	"tui/internal/s3"
)

// maxPagesPerRequest bounds how many KV pages one ListObjectsV2 call reads
// while folding delimiters or skipping to start-after.
const maxPagesPerRequest = 8

// ListInput carries the ListObjectsV2 parameters.
type ListInput struct {
	Bucket            string
	Prefix            string
	Delimiter         string
	StartAfter        string
	ContinuationToken string
	MaxKeys           int
	FetchOwner        bool
	Owner             s3.Owner
}

type continuation struct {
	Cursor string `json:"c"`
	After  string `json:"a,omitempty"`
}

func decodeToken(tok string) (continuation, error) {
	var c continuation
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return c, err
	}
	return c, json.Unmarshal(raw, &c)
}

func encodeToken(c continuation) string {
	raw, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(raw)
}

// List implements ListObjectsV2 over KV listing. Object attributes come from
// the metadata stored with each body, so no per-key reads are needed.
func (s *Service) List(ctx context.Context, in ListInput) (*s3.ListBucketResult, error) {
	maxKeys := min(max(in.MaxKeys, 0), 1000)
	if in.MaxKeys == 0 && in.ContinuationToken == "" {
		maxKeys = 1000
	}
	res := &s3.ListBucketResult{
		Xmlns: s3.NS(), Name: in.Bucket, Prefix: in.Prefix, Delimiter: in.Delimiter,
		StartAfter: in.StartAfter, MaxKeys: maxKeys, ContinuationToken: in.ContinuationToken,
	}
	var tok continuation
	if in.ContinuationToken != "" {
		var err error
		if tok, err = decodeToken(in.ContinuationToken); err != nil {
			return nil, s3.ErrInvalidArgument
		}
	}
	base := BodyKey(in.Bucket, "")
	after := max(in.StartAfter, tok.After)
	cursor := tok.Cursor
	seen := map[string]bool{}
	lastKey := ""
	for range maxPagesPerRequest {
		page, err := s.KV.ListPage(ctx, base+in.Prefix, cursor, 1000)
		if err != nil {
			return nil, err
		}
		for i, e := range page.Entries {
			name := strings.TrimPrefix(e.Name, base)
			if name <= after {
				continue
			}
			if res.KeyCount >= maxKeys {
				res.IsTruncated = true
				res.NextContinuationToken = encodeToken(continuation{Cursor: cursor, After: lastKey})
				_ = i
				return res, nil
			}
			lastKey = name
			if in.Delimiter != "" {
				rest := strings.TrimPrefix(name, in.Prefix)
				if idx := strings.Index(rest, in.Delimiter); idx >= 0 {
					cp := in.Prefix + rest[:idx+len(in.Delimiter)]
					if !seen[cp] {
						seen[cp] = true
						res.CommonPrefixes = append(res.CommonPrefixes, s3.CommonPrefix{Prefix: cp})
						res.KeyCount++
					}
					continue
				}
			}
			res.Contents = append(res.Contents, toObject(name, e, in))
			res.KeyCount++
		}
		if page.Cursor == "" {
			return res, nil
		}
		cursor = page.Cursor
	}
	res.IsTruncated = true
	res.NextContinuationToken = encodeToken(continuation{Cursor: cursor, After: lastKey})
	return res, nil
}

func toObject(name string, e kvstore.Entry, in ListInput) s3.Object {
	o := s3.Object{Key: name, StorageClass: "STANDARD"}
	if v, ok := e.Meta["etag"].(string); ok {
		o.ETag = v
	}
	if v, ok := e.Meta["size"].(float64); ok {
		o.Size = int64(v)
	}
	if v, ok := e.Meta["mtime"].(float64); ok {
		o.LastModified = time.Unix(int64(v), 0).UTC().Format(time.RFC3339)
	}
	if in.FetchOwner {
		owner := in.Owner
		o.Owner = &owner
	}
	return o
}
