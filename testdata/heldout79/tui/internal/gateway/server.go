// Package gateway is the S3 HTTP front end: it authenticates requests, parses
// them into operations and calls the bucket, object and multipart services.
package gateway

import (
	"context"
	"encoding/xml"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"tui/internal/auth"
	"tui/internal/buckets"
	"tui/internal/multipart"
	"tui/internal/objects"
	"tui/internal/s3"
)

// Server serves the S3 API.
type Server struct {
	BaseDomain string
	Keys       *auth.Keys
	Tickets    *auth.Tickets
	Sessions   *auth.Sessions
	Buckets    *buckets.Service
	Objects    *objects.Service
	Multipart  *multipart.Service
	Log        *slog.Logger
}

type principal struct {
	ownerID string
	owner   s3.Owner
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/_console/") {
		s.serveConsole(w, r)
		return
	}
	reqID := strconv.FormatInt(time.Now().UnixNano(), 36)
	w.Header().Set("x-amz-request-id", reqID)
	req, perr := s3.Parse(r, s.BaseDomain)
	if perr != nil {
		s3.WriteError(w, perr, r.URL.Path, reqID)
		return
	}
	p, err := s.authenticate(r, req)
	if err != nil {
		s.fail(w, r, err, reqID)
		return
	}
	if err := s.handle(w, r, req, p); err != nil {
		s.fail(w, r, err, reqID)
	}
}

func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error, reqID string) {
	var e *s3.Error
	if !errors.As(err, &e) {
		s.Log.Error("request failed", "path", r.URL.Path, "err", err)
		e = s3.ErrInternal
	}
	s3.WriteError(w, e, r.URL.Path, reqID)
}

func (s *Server) authenticate(r *http.Request, req *s3.Request) (*principal, error) {
	ctx := r.Context()
	if id := req.Query.Get("ticket"); id != "" && req.Op == s3.OpPutObject {
		tk, err := s.Tickets.Redeem(ctx, id, req.Bucket, req.Key, r.ContentLength)
		if err != nil {
			return nil, err
		}
		return &principal{ownerID: tk.OwnerID}, nil
	}
	if req.Query.Get("X-Amz-Signature") != "" {
		ps, err := auth.VerifyPresigned(ctx, s.Keys, r)
		if errors.Is(err, s3.ErrSignatureMismatch) {
			id, _, _ := strings.Cut(req.Query.Get("X-Amz-Credential"), "/")
			if n, ferr := s.Keys.RecordFailure(ctx, id); ferr == nil && n > 20 {
				return nil, s3.ErrSlowDown
			}
		}
		if err != nil {
			return nil, err
		}
		return &principal{ownerID: ps.AccessKey.OwnerID, owner: s3.Owner{ID: ps.AccessKey.OwnerID}}, nil
	}
	authz := r.Header.Get("Authorization")
	_, cred, ok := strings.Cut(authz, "Credential=")
	if !ok {
		return nil, s3.ErrAccessDenied
	}
	id, _, _ := strings.Cut(cred, "/")
	ak, err := s.Keys.Lookup(ctx, id)
	if err != nil {
		return nil, s3.ErrAccessDenied
	}
	// Header signatures are verified by the edge proxy; record use only.
	if err := s.Keys.Touch(ctx, ak); err != nil {
		s.Log.Warn("touch access key", "id", ak.ID, "err", err)
	}
	return &principal{ownerID: ak.OwnerID, owner: s3.Owner{ID: ak.OwnerID, DisplayName: ak.OwnerID}}, nil
}

func (s *Server) handle(w http.ResponseWriter, r *http.Request, req *s3.Request, p *principal) error {
	ctx := r.Context()
	if req.Op != s3.OpListBuckets && req.Op != s3.OpCreateBucket {
		b, err := s.Buckets.Get(ctx, req.Bucket)
		if err != nil {
			return err
		}
		if b.OwnerID != p.ownerID {
			return s3.ErrAccessDenied
		}
	}
	switch req.Op {
	case s3.OpListBuckets:
		res, err := s.Buckets.List(ctx, p.owner)
		if err != nil {
			return err
		}
		s3.WriteXML(w, http.StatusOK, res)
	case s3.OpCreateBucket:
		if err := s.Buckets.Create(ctx, req.Bucket, p.ownerID); err != nil {
			return err
		}
		w.Header().Set("Location", "/"+req.Bucket)
		w.WriteHeader(http.StatusOK)
	case s3.OpDeleteBucket:
		if err := s.Buckets.Delete(ctx, req.Bucket); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
	case s3.OpPutWebsite, s3.OpPutLifecycle:
		body, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
		if err != nil {
			return err
		}
		if req.Op == s3.OpPutWebsite {
			err = s.Buckets.PutWebsite(ctx, req.Bucket, body)
		} else {
			err = s.Buckets.PutLifecycle(ctx, req.Bucket, body)
		}
		if err != nil {
			return err
		}
		w.WriteHeader(http.StatusOK)
	case s3.OpListObjectsV2:
		maxKeys, perr := req.IntParam("max-keys", 1000)
		if perr != nil {
			return perr
		}
		res, err := s.Objects.List(ctx, objects.ListInput{
			Bucket: req.Bucket, Prefix: req.Query.Get("prefix"), Delimiter: req.Query.Get("delimiter"),
			StartAfter: req.Query.Get("start-after"), ContinuationToken: req.Query.Get("continuation-token"),
			MaxKeys: maxKeys, FetchOwner: req.Query.Get("fetch-owner") == "true", Owner: p.owner,
		})
		if err != nil {
			return err
		}
		s3.WriteXML(w, http.StatusOK, res)
	case s3.OpPutObject:
		return s.putObject(ctx, w, r, req)
	case s3.OpCopyObject:
		src := strings.TrimPrefix(req.Header.Get("x-amz-copy-source"), "/")
		sb, sk, ok := strings.Cut(src, "/")
		if !ok {
			return s3.ErrInvalidArgument
		}
		var replace *objects.PutInput
		if req.Header.Get("x-amz-metadata-directive") == "REPLACE" {
			replace = &objects.PutInput{ContentType: r.Header.Get("Content-Type"), CacheControl: r.Header.Get("Cache-Control"), UserMeta: s3.UserMetadata(r.Header)}
		}
		res, err := s.Objects.Copy(ctx, sb, sk, req.Bucket, req.Key, replace)
		if err != nil {
			return err
		}
		s3.WriteXML(w, http.StatusOK, res)
	case s3.OpGetObject, s3.OpHeadObject:
		if req.Op == s3.OpHeadObject {
			h, err := s.Objects.Head(ctx, req.Bucket, req.Key)
			if err != nil {
				return err
			}
			objects.WriteHeaders(w, h)
			w.WriteHeader(http.StatusOK)
			return nil
		}
		body, h, err := s.Objects.Get(ctx, req.Bucket, req.Key)
		if err != nil {
			return err
		}
		if inm := r.Header.Get("If-None-Match"); inm != "" && inm == h.ETag {
			w.WriteHeader(http.StatusNotModified)
			return nil
		}
		objects.WriteHeaders(w, h)
		_, _ = w.Write(body)
	case s3.OpDeleteObject:
		if err := s.Objects.Delete(ctx, req.Bucket, req.Key); err != nil {
			return err
		}
		if err := s.Objects.Touch(ctx, req.Bucket); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
	case s3.OpDeleteObjects:
		var dr s3.DeleteRequest
		if err := xml.NewDecoder(io.LimitReader(r.Body, 2<<20)).Decode(&dr); err != nil || len(dr.Objects) > 1000 {
			return s3.ErrMalformedXML
		}
		s3.WriteXML(w, http.StatusOK, s.Objects.DeleteMany(ctx, req.Bucket, &dr))
	case s3.OpPutTagging:
		var t s3.Tagging
		if err := xml.NewDecoder(io.LimitReader(r.Body, 64<<10)).Decode(&t); err != nil {
			return s3.ErrMalformedXML
		}
		if err := s.Objects.PutTagging(ctx, req.Bucket, req.Key, &t); err != nil {
			return err
		}
		w.WriteHeader(http.StatusOK)
	case s3.OpGetTagging:
		t, err := s.Objects.GetTagging(ctx, req.Bucket, req.Key)
		if err != nil {
			return err
		}
		s3.WriteXML(w, http.StatusOK, t)
	default:
		return s.handleMultipart(ctx, w, r, req)
	}
	return nil
}

func (s *Server) putObject(ctx context.Context, w http.ResponseWriter, r *http.Request, req *s3.Request) error {
	if r.ContentLength > objects.MaxObjectSize {
		return s3.ErrEntityTooLarge
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, objects.MaxObjectSize+1))
	if err != nil {
		return err
	}
	lc, err := s.Buckets.Lifecycle(ctx, req.Bucket)
	if err != nil {
		return err
	}
	etag, err := s.Objects.Put(ctx, objects.PutInput{
		Bucket: req.Bucket, Key: req.Key, Body: body,
		ContentType: r.Header.Get("Content-Type"), CacheControl: r.Header.Get("Cache-Control"),
		UserMeta: s3.UserMetadata(r.Header), ExpireAt: buckets.ObjectExpiry(lc, req.Key, time.Now()),
	})
	if err != nil {
		return err
	}
	w.Header().Set("ETag", etag)
	w.WriteHeader(http.StatusOK)
	return nil
}

func (s *Server) handleMultipart(ctx context.Context, w http.ResponseWriter, r *http.Request, req *s3.Request) error {
	id := req.Query.Get("uploadId")
	switch req.Op {
	case s3.OpCreateMultipart:
		res, err := s.Multipart.Create(ctx, req.Bucket, req.Key, r.Header.Get("Content-Type"), s3.UserMetadata(r.Header))
		if err != nil {
			return err
		}
		s3.WriteXML(w, http.StatusOK, res)
	case s3.OpUploadPart:
		n, perr := req.IntParam("partNumber", 0)
		if perr != nil {
			return perr
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, objects.MaxObjectSize+1))
		if err != nil {
			return err
		}
		etag, err := s.Multipart.UploadPart(ctx, id, n, body)
		if err != nil {
			return err
		}
		w.Header().Set("ETag", etag)
		w.WriteHeader(http.StatusOK)
	case s3.OpListParts:
		marker, perr := req.IntParam("part-number-marker", 0)
		if perr != nil {
			return perr
		}
		maxParts, perr := req.IntParam("max-parts", 1000)
		if perr != nil {
			return perr
		}
		res, err := s.Multipart.ListParts(ctx, id, marker, maxParts)
		if err != nil {
			return err
		}
		s3.WriteXML(w, http.StatusOK, res)
	case s3.OpComplete:
		var c s3.CompleteMultipartUpload
		if err := xml.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&c); err != nil {
			return s3.ErrMalformedXML
		}
		res, err := s.Multipart.Complete(ctx, id, &c)
		if err != nil {
			return err
		}
		s3.WriteXML(w, http.StatusOK, res)
	case s3.OpAbort:
		if err := s.Multipart.Abort(ctx, id); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
	default:
		return s3.ErrNotImplemented
	}
	return nil
}
