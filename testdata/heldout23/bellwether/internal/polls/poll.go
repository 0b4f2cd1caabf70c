// Package polls owns poll definitions: creation, slugs, options, tags and
// the rendered documents the edge Worker serves to embeds.
package polls

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"regexp"
	"strings"
	"time"

	"example.com/bellwether/internal/kvstore"
	"example.com/bellwether/internal/repo"
	"example.com/bellwether/internal/ttlpolicy"
)

// Status is a poll's lifecycle stage.
type Status string

const (
	StatusDraft  Status = "draft"
	StatusOpen   Status = "open"
	StatusClosed Status = "closed"
)

// Choice is one answer option.
type Choice struct {
	ID    string `json:"id"`
	Label string `json:"label"`
}

// Poll is a single question with a fixed set of choices.
type Poll struct {
	ID        string         `json:"id"`
	Slug      string         `json:"slug"`
	Newsroom  string         `json:"newsroom"`
	Question  string         `json:"question"`
	Choices   []Choice       `json:"choices"`
	Tags      []string       `json:"tags,omitempty"`
	Tier      ttlpolicy.Tier `json:"tier"`
	Status    Status         `json:"status"`
	OpensAt   time.Time      `json:"opens_at"`
	ClosesAt  time.Time      `json:"closes_at"`
	CreatedAt time.Time      `json:"created_at"`
}

// Validation errors.
var (
	ErrNoQuestion   = errors.New("polls: question is required")
	ErrTooFewChoice = errors.New("polls: at least two choices are required")
	ErrBadSlug      = errors.New("polls: slug must be 3-64 lowercase letters, digits or dashes")
	ErrSlugTaken    = errors.New("polls: slug already in use")
	ErrNotFound     = errors.New("polls: no such poll")
	ErrClosed       = errors.New("polls: poll is closed")
)

var slugRE = regexp.MustCompile(`^[a-z0-9-]{3,64}$`)

// Validate checks p before it is stored.
func (p Poll) Validate() error {
	if strings.TrimSpace(p.Question) == "" {
		return ErrNoQuestion
	}
	if len(p.Choices) < 2 {
		return ErrTooFewChoice
	}
	if !slugRE.MatchString(p.Slug) {
		return ErrBadSlug
	}
	return nil
}

// Open reports whether p accepts votes at t.
func (p Poll) Open(t time.Time) bool {
	return p.Status == StatusOpen && !t.Before(p.OpensAt) && t.Before(p.ClosesAt)
}

// Repo stores polls by id.
type Repo struct {
	*repo.Base[Poll]
}

// NewRepo returns a poll repository over s.
func NewRepo(s kvstore.Store) *Repo {
	return &Repo{Base: repo.NewBase[Poll](s, "poll:", repo.WithScanLimit(200))}
}

// KeyPolicy decides where slugs and rendered documents live.
type KeyPolicy interface {
	SlugKey(slug string) string
	DocKey(slug string) string
}

// FlatKeys puts every newsroom's slugs in one space.
type FlatKeys struct{}

func (FlatKeys) SlugKey(slug string) string { return "slug:" + slug }
func (FlatKeys) DocKey(slug string) string  { return "doc:" + slug }

// NewsroomKeys scopes slugs to one newsroom, for white-label installs.
type NewsroomKeys struct{ Newsroom string }

func (k NewsroomKeys) SlugKey(slug string) string { return "slug:" + k.Newsroom + ":" + slug }
func (k NewsroomKeys) DocKey(slug string) string  { return "doc:" + k.Newsroom + ":" + slug }

func newID() string {
	var b [9]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
