// Package domain holds the value objects shared by every Mosaic service.
// Each value validates itself before it is persisted.
package domain

import (
	"errors"
	"fmt"
	"regexp"
	"time"
	"unicode/utf8"
)

// Sentinel errors returned by services.
var (
	ErrNotFound   = errors.New("not found")
	ErrConflict   = errors.New("conflict")
	ErrForbidden  = errors.New("forbidden")
	ErrExpired    = errors.New("expired")
	ErrOverQuota  = errors.New("over quota")
	ErrSlugTaken  = errors.New("slug already taken")
	ErrBadRequest = errors.New("bad request")
)

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrBadRequest}, args...)...)
}

// Visibility controls who may view an album.
type Visibility string

const (
	VisibilityPrivate  Visibility = "private"
	VisibilityUnlisted Visibility = "unlisted"
	VisibilityPublic   Visibility = "public"
)

var slugPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,62}$`)

// Album is a named, ordered collection of photos owned by one user.
type Album struct {
	ID         string     `json:"id"`
	OwnerID    string     `json:"owner_id"`
	Slug       string     `json:"slug"`
	Title      string     `json:"title"`
	Visibility Visibility `json:"visibility"`
	CoverID    string     `json:"cover_id,omitempty"`
	Tags       []string   `json:"tags,omitempty"`
	Version    int        `json:"version"`
	CreatedAt  time.Time  `json:"created_at"`
	UpdatedAt  time.Time  `json:"updated_at"`
	DeletedAt  *time.Time `json:"deleted_at,omitempty"`
}

// Validate reports whether the album can be stored.
func (a Album) Validate() error {
	switch {
	case a.ID == "" || a.OwnerID == "":
		return invalid("album needs id and owner")
	case !slugPattern.MatchString(a.Slug):
		return invalid("invalid slug %q", a.Slug)
	case utf8.RuneCountInString(a.Title) == 0 || utf8.RuneCountInString(a.Title) > 200:
		return invalid("title must be 1..200 characters")
	case a.Visibility != VisibilityPrivate && a.Visibility != VisibilityUnlisted && a.Visibility != VisibilityPublic:
		return invalid("visibility %q", a.Visibility)
	}
	return nil
}

// Tombstoned reports whether the album was soft deleted.
func (a Album) Tombstoned() bool { return a.DeletedAt != nil }

// PhotoIndex is the ordered list of photo IDs that belong to an album.
type PhotoIndex struct {
	AlbumID  string   `json:"album_id"`
	PhotoIDs []string `json:"photo_ids"`
}

// Photo is a single uploaded image.
type Photo struct {
	ID        string    `json:"id"`
	OwnerID   string    `json:"owner_id"`
	AlbumID   string    `json:"album_id"`
	ObjectKey string    `json:"object_key"`
	Bytes     int64     `json:"bytes"`
	Width     int       `json:"width"`
	Height    int       `json:"height"`
	SHA256    string    `json:"sha256"`
	CreatedAt time.Time `json:"created_at"`
}

// Landscape reports whether the photo is wider than it is tall.
func (p Photo) Landscape() bool { return p.Width > p.Height }

// ShareLink grants read access to one album or photo without an account.
type ShareLink struct {
	Token     string    `json:"token"`
	OwnerID   string    `json:"owner_id"`
	AlbumID   string    `json:"album_id"`
	PhotoID   string    `json:"photo_id,omitempty"`
	MaxViews  int       `json:"max_views,omitempty"`
	Views     int       `json:"views"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
}

// Exhausted reports whether the link used up its view allowance.
func (l ShareLink) Exhausted() bool { return l.MaxViews > 0 && l.Views >= l.MaxViews }

// UploadPart is one uploaded chunk of a multipart upload.
type UploadPart struct {
	Number int    `json:"number"`
	ETag   string `json:"etag"`
	Bytes  int64  `json:"bytes"`
}

// UploadSession tracks a resumable multipart upload.
type UploadSession struct {
	ID        string       `json:"id"`
	OwnerID   string       `json:"owner_id"`
	AlbumID   string       `json:"album_id"`
	Filename  string       `json:"filename"`
	Declared  int64        `json:"declared_bytes"`
	Parts     []UploadPart `json:"parts"`
	CreatedAt time.Time    `json:"created_at"`
}

// Received returns the number of bytes received so far.
func (u UploadSession) Received() int64 {
	var n int64
	for _, p := range u.Parts {
		n += p.Bytes
	}
	return n
}

// ListKind distinguishes allow and deny moderation lists.
type ListKind string

const (
	ListAllow ListKind = "allow"
	ListDeny  ListKind = "deny"
)

// ModerationEntry is one content hash on an allow or deny list.
type ModerationEntry struct {
	Hash    string    `json:"hash"`
	Kind    ListKind  `json:"kind"`
	Reason  string    `json:"reason"`
	AddedBy string    `json:"added_by"`
	AddedAt time.Time `json:"added_at"`
}

// Validate reports whether the entry is well formed.
func (e ModerationEntry) Validate() error {
	if len(e.Hash) != 64 || (e.Kind != ListAllow && e.Kind != ListDeny) {
		return invalid("moderation entry needs a sha256 hash and a list")
	}
	return nil
}

// Plan describes the storage allowance of a subscription tier.
type Plan struct {
	Name       string `json:"name"`
	QuotaBytes int64  `json:"quota_bytes"`
	MaxAlbums  int    `json:"max_albums"`
}
