// Package uploads runs resumable multipart photo uploads: a session is
// opened, parts are recorded as they land in object storage, and completion
// runs a saga that reserves quota, stores the photo and indexes it.
package uploads

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"example.com/mosaic/internal/domain"
	"example.com/mosaic/internal/saga"
	"example.com/mosaic/internal/storage"
	"example.com/mosaic/internal/typed"
)

// SessionID identifies an upload session.
type SessionID string

// PhotoID identifies a stored photo.
type PhotoID string

const (
	sessionPrefix = "upload:"
	photoPrefix   = "photo:"
	limitsKey     = "config:upload-limits"
)

// Meter reserves and releases storage quota.
type Meter interface {
	Reserve(ctx context.Context, owner string, bytes int64) error
	Release(ctx context.Context, owner string, bytes int64) error
}

// IndexFunc appends a photo to an album's ordering.
type IndexFunc func(ctx context.Context, albumID, photoID string) error

// Limits are the operator-tunable upload limits kept in the store.
type Limits struct {
	MaxFileBytes int64 `json:"max_file_bytes"`
}

// Service coordinates uploads.
type Service struct {
	st       storage.Store
	sessions *typed.Store[SessionID, domain.UploadSession]
	photos   *typed.Store[PhotoID, domain.Photo]
	meter    Meter
	index    IndexFunc
	ttl      time.Duration
	log      *slog.Logger
}

// NewService wires the upload service.
func NewService(st storage.Store, meter Meter, index IndexFunc, sessionTTL time.Duration, log *slog.Logger) *Service {
	return &Service{st: st, meter: meter, index: index, ttl: sessionTTL, log: log,
		sessions: typed.New[SessionID, domain.UploadSession](st, sessionPrefix, storage.PutOptions{}),
		photos:   typed.New[PhotoID, domain.Photo](st, photoPrefix, storage.PutOptions{}),
	}
}

func (s *Service) limits(ctx context.Context) Limits {
	raw, _ := s.st.Get(ctx, limitsKey) // EXPECT kvnull
	var lim Limits
	_ = json.Unmarshal(raw, &lim)
	return lim
}

// BeginInput describes a new upload.
type BeginInput struct {
	OwnerID  string
	AlbumID  string
	Filename string
	Bytes    int64
}

// Begin opens an upload session.
func (s *Service) Begin(ctx context.Context, in BeginInput) (domain.UploadSession, error) {
	lim := s.limits(ctx)
	if in.Bytes > lim.MaxFileBytes {
		return domain.UploadSession{}, fmt.Errorf("%w: file exceeds %d bytes", domain.ErrBadRequest, lim.MaxFileBytes)
	}
	sess := domain.UploadSession{
		ID:        domain.NewID("up"),
		OwnerID:   in.OwnerID,
		AlbumID:   in.AlbumID,
		Filename:  in.Filename,
		Declared:  in.Bytes,
		CreatedAt: time.Now().UTC(),
	}
	return sess, s.sessions.Put(ctx, SessionID(sess.ID), sess, storage.PutOptions{TTL: s.ttl})
}

// Session returns an open session owned by owner.
func (s *Service) Session(ctx context.Context, owner string, id SessionID) (domain.UploadSession, error) {
	sess, ok, err := s.sessions.Lookup(ctx, id)
	switch {
	case err == nil && !ok:
		err = domain.ErrNotFound
	case err == nil && sess.OwnerID != owner:
		err = domain.ErrForbidden
	}
	return sess, err
}

// RecordPart notes that a part landed in object storage.
func (s *Service) RecordPart(ctx context.Context, owner string, id SessionID, part domain.UploadPart) (domain.UploadSession, error) {
	sess, err := s.Session(ctx, owner, id)
	if err != nil {
		return domain.UploadSession{}, err
	}
	for _, p := range sess.Parts {
		if p.Number == part.Number {
			return sess, nil
		}
	}
	if sess.Received()+part.Bytes > sess.Declared {
		return domain.UploadSession{}, fmt.Errorf("%w: more bytes than declared", domain.ErrBadRequest)
	}
	sess.Parts = append(sess.Parts, part)
	if err := s.sessions.Put(ctx, id, sess, storage.PutOptions{TTL: s.ttl}); err != nil { // EXPECT kvsession
		return domain.UploadSession{}, err
	}
	return sess, nil
}

type completion struct {
	session domain.UploadSession
	photo   domain.Photo
}

// CompleteInput carries what object storage reported about the object.
type CompleteInput struct {
	ObjectKey string
	SHA256    string
	Width     int
	Height    int
}

// Complete turns a finished session into a stored, indexed photo.
func (s *Service) Complete(ctx context.Context, owner string, id SessionID, in CompleteInput) (domain.Photo, error) {
	sess, err := s.Session(ctx, owner, id)
	if err != nil {
		return domain.Photo{}, err
	}
	if sess.Received() != sess.Declared {
		return domain.Photo{}, fmt.Errorf("%w: upload incomplete", domain.ErrBadRequest)
	}
	state := &completion{session: sess}
	flow := saga.New[completion]("complete-upload", s.log).
		Then(saga.Step[completion]{
			Name: "reserve-quota",
			Run: func(ctx context.Context, c *completion) error {
				return s.meter.Reserve(ctx, c.session.OwnerID, c.session.Declared)
			},
			Compensate: func(ctx context.Context, c *completion) error {
				return s.meter.Release(ctx, c.session.OwnerID, c.session.Declared)
			},
		}).
		Then(saga.Step[completion]{
			Name: "store-photo",
			Run: func(ctx context.Context, c *completion) error {
				c.photo = domain.Photo{
					ID:        domain.NewID("ph"),
					OwnerID:   c.session.OwnerID,
					AlbumID:   c.session.AlbumID,
					ObjectKey: in.ObjectKey,
					Bytes:     c.session.Declared,
					Width:     in.Width,
					Height:    in.Height,
					SHA256:    in.SHA256,
					CreatedAt: time.Now().UTC(),
				}
				return s.photos.Put(ctx, PhotoID(c.photo.ID), c.photo)
			},
			Compensate: func(ctx context.Context, c *completion) error {
				return s.photos.Delete(ctx, PhotoID(c.photo.ID))
			},
		}).
		Then(saga.Step[completion]{
			Name: "index-photo",
			Run: func(ctx context.Context, c *completion) error {
				return s.index(ctx, c.session.AlbumID, c.photo.ID)
			},
		}).
		Then(saga.Step[completion]{
			Name: "close-session",
			Run: func(ctx context.Context, c *completion) error {
				return s.sessions.Delete(ctx, SessionID(c.session.ID)) // DEBATABLE kvsession
			},
		})
	if err := flow.Run(ctx, state); err != nil {
		s.log.WarnContext(ctx, "upload completion failed", "session", id, "err", err)
		return domain.Photo{}, err
	}
	return state.photo, nil
}

// Photo returns a stored photo.
func (s *Service) Photo(ctx context.Context, id PhotoID) (domain.Photo, error) {
	p, ok, err := s.photos.Lookup(ctx, id)
	if err == nil && !ok {
		err = domain.ErrNotFound
	}
	return p, err
}
