// Package catalog manages shows, their episode lists, slugs and vanity
// subdomains.
package catalog

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/chiffchaff/podhost/internal/kvstore"
	"github.com/chiffchaff/podhost/internal/podcast"
)

var (
	ErrNotFound       = errors.New("catalog: not found")
	ErrSlugTaken      = errors.New("catalog: slug taken")
	ErrConflict       = errors.New("catalog: revision conflict")
	ErrInvalid        = errors.New("catalog: invalid request")
	ErrSubdomainTaken = errors.New("catalog: subdomain taken")
)

var slugRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{2,62}$`)

// Service is the show catalog.
type Service struct {
	ns  *kvstore.Namespace
	now func() time.Time
	// HoldFor is how long an unconfirmed subdomain reservation is kept.
	HoldFor time.Duration
}

// New returns a catalog backed by ns.
func New(ns *kvstore.Namespace, now func() time.Time) *Service {
	return &Service{ns: ns, now: now, HoldFor: 72 * time.Hour}
}

func showKey(id string) string       { return "show:" + id }
func slugKey(slug string) string     { return "slug:" + slug }
func indexKey(showID string) string  { return "show:" + showID + ":episodes" }
func episodeKey(id string) string    { return "ep:" + id }
func subdomainKey(sub string) string { return "subdomain:" + strings.ToLower(sub) }

// NewID returns a random 16-byte hex identifier.
func NewID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

type CreateShowRequest struct {
	OwnerID     string
	Slug        string
	Title       string
	Description string
	Language    string
}

type CreateShowResponse struct {
	Show *podcast.Show
}

// CreateShow claims the slug and stores a new show.
func (s *Service) CreateShow(ctx context.Context, req *CreateShowRequest) (*CreateShowResponse, error) {
	if !slugRE.MatchString(req.Slug) || req.Title == "" {
		return nil, ErrInvalid
	}
	sh := &podcast.Show{
		ID:          NewID(),
		OwnerID:     req.OwnerID,
		Slug:        req.Slug,
		Title:       req.Title,
		Description: req.Description,
		Language:    req.Language,
		Rev:         1,
		UpdatedAt:   s.now(),
	}
	if err := s.claimSlug(ctx, sh.Slug, sh.ID); err != nil {
		return nil, err
	}
	if err := s.ns.PutObject(ctx, showKey(sh.ID), sh, 0); err != nil {
		return nil, err
	}
	return &CreateShowResponse{Show: sh}, nil
}

func (s *Service) claimSlug(ctx context.Context, slug, showID string) error {
	_, err := s.ns.Get(ctx, slugKey(slug))
	switch {
	case err == nil:
		return ErrSlugTaken
	case !errors.Is(err, kvstore.ErrNotFound):
		return err
	}
	return s.ns.Put(ctx, slugKey(slug), []byte(showID)) // EXPECT kvrace
}

// Show loads a show by ID.
func (s *Service) Show(ctx context.Context, id string) (*podcast.Show, error) {
	var sh podcast.Show
	if err := s.ns.GetObject(ctx, showKey(id), &sh); err != nil {
		if errors.Is(err, kvstore.ErrNotFound) {
			return nil, ErrNotFound
		}
		return nil, err
	}
	return &sh, nil
}

type UpdateShowRequest struct {
	ShowID      string
	Rev         int
	Title       *string
	Description *string
	Explicit    *bool
}

type UpdateShowResponse struct {
	Show *podcast.Show
}

// UpdateShow applies the non-nil fields of req if the stored revision is
// still req.Rev.
func (s *Service) UpdateShow(ctx context.Context, req *UpdateShowRequest) (*UpdateShowResponse, error) {
	sh, err := s.Show(ctx, req.ShowID)
	if err != nil {
		return nil, err
	}
	if sh.Rev != req.Rev {
		return nil, ErrConflict
	}
	if req.Title != nil {
		sh.Title = *req.Title
	}
	if req.Description != nil {
		sh.Description = *req.Description
	}
	if req.Explicit != nil {
		sh.Explicit = *req.Explicit
	}
	sh.Rev++
	sh.UpdatedAt = s.now()
	if err := s.ns.PutObject(ctx, showKey(sh.ID), sh, 0); err != nil { // EXPECT kvrace
		return nil, err
	}
	return &UpdateShowResponse{Show: sh}, nil
}

// ImportedShow is a show as read from another host's RSS feed.
type ImportedShow struct {
	ID       string
	OwnerID  string
	Title    string
	Slug     string
	Revision int
}

// ReplaceFromImport overwrites a show with an imported copy; the importer is
// the only writer of imported shows and carries the upstream revision.
func (s *Service) ReplaceFromImport(ctx context.Context, src ImportedShow) error {
	sh := &podcast.Show{
		ID:        src.ID,
		OwnerID:   src.OwnerID,
		Slug:      src.Slug,
		Title:     src.Title,
		Rev:       src.Revision,
		UpdatedAt: s.now(),
	}
	return s.ns.PutObject(ctx, showKey(sh.ID), sh, 0)
}

type AddEpisodeRequest struct {
	ShowID   string
	Title    string
	Notes    string
	AudioURL string
	Duration time.Duration
}

type AddEpisodeResponse struct {
	Episode *podcast.Episode
}

// AddEpisode stores a draft episode and lists it first on its show.
func (s *Service) AddEpisode(ctx context.Context, req *AddEpisodeRequest) (*AddEpisodeResponse, error) {
	ep := &podcast.Episode{
		ID:          NewID(),
		ShowID:      req.ShowID,
		Title:       req.Title,
		Notes:       req.Notes,
		AudioURL:    req.AudioURL,
		DurationSec: int(req.Duration.Seconds()),
		Status:      podcast.StatusDraft,
		Rev:         1,
	}
	ep.GUID = "chiffchaff:" + ep.ID
	if err := s.ns.PutObject(ctx, episodeKey(ep.ID), ep, 0); err != nil {
		return nil, err
	}
	var idx podcast.EpisodeIndex
	err := s.ns.GetObject(ctx, indexKey(req.ShowID), &idx)
	if err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		return nil, err
	}
	idx.ShowID = req.ShowID
	idx.Episodes = append([]string{ep.ID}, idx.Episodes...)
	idx.Rev++
	if err := s.ns.PutObject(ctx, indexKey(req.ShowID), &idx, 0); err != nil { // EXPECT kvrace
		return nil, err
	}
	return &AddEpisodeResponse{Episode: ep}, nil
}

// Episodes returns the IDs listed for a show.
func (s *Service) Episodes(ctx context.Context, showID string) ([]string, error) {
	var idx podcast.EpisodeIndex
	err := s.ns.GetObject(ctx, indexKey(showID), &idx)
	if errors.Is(err, kvstore.ErrNotFound) {
		return nil, nil
	}
	return idx.Episodes, err
}

// reservation is the value stored under a subdomain key.
type reservation struct {
	Owner     string    `json:"owner"`
	ShowID    string    `json:"show_id"`
	HeldUntil time.Time `json:"held_until"`
}

type ReserveRequest struct {
	Subdomain string
	OwnerID   string
	ShowID    string
}

type ReserveResponse struct {
	Subdomain string
	HeldUntil time.Time
}

// Reserve holds a vanity subdomain for a show while DNS is verified.
func (s *Service) Reserve(ctx context.Context, req *ReserveRequest) (*ReserveResponse, error) {
	if !slugRE.MatchString(req.Subdomain) {
		return nil, ErrInvalid
	}
	key := subdomainKey(req.Subdomain)
	raw, err := s.ns.Get(ctx, key)
	switch {
	case err == nil:
		var cur reservation
		if jerr := json.Unmarshal(raw, &cur); jerr == nil && cur.Owner != req.OwnerID && s.now().Before(cur.HeldUntil) {
			return nil, ErrSubdomainTaken
		}
	case !errors.Is(err, kvstore.ErrNotFound):
		return nil, err
	}
	res := reservation{Owner: req.OwnerID, ShowID: req.ShowID, HeldUntil: s.now().Add(s.HoldFor)}
	body, err := json.Marshal(res)
	if err != nil {
		return nil, err
	}
	if err := s.ns.PutUntil(ctx, key, body, res.HeldUntil); err != nil { // EXPECT kvrace
		return nil, err
	}
	return &ReserveResponse{Subdomain: req.Subdomain, HeldUntil: res.HeldUntil}, nil
}

// SetArtwork records the artwork URL of a show for the player embed.
func (s *Service) SetArtwork(ctx context.Context, showID, url string) error {
	if !strings.HasPrefix(url, "https://") {
		return fmt.Errorf("%w: artwork must be https", ErrInvalid)
	}
	return s.ns.PutTTL(ctx, "art:"+showID, []byte(url), 30*24*time.Hour)
}
