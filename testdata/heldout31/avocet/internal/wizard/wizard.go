// Package wizard runs the multi-step "new episode" flow: each request
// advances the creator's draft, kept in a DraftStore, by one step.
package wizard

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"example.com/avocet/internal/domain"
	"example.com/avocet/internal/ports"
)

type Step int

const (
	StepShow Step = iota
	StepAudio
	StepDetails
	StepSponsors
	StepReview
	stepDone
)

func (s Step) String() string {
	if s >= StepShow && s < stepDone {
		return [...]string{"show", "audio", "details", "sponsors", "review"}[s]
	}
	return "done"
}

type Draft struct {
	Step      Step      `json:"step"`
	ShowID    string    `json:"show_id,omitempty"`
	AudioURL  string    `json:"audio_url,omitempty"`
	LengthSec int64     `json:"length_sec,omitempty"`
	Title     string    `json:"title,omitempty"`
	Explicit  bool      `json:"explicit,omitempty"`
	Slots     []string  `json:"slots,omitempty"`
	Started   time.Time `json:"started"`
}

// StartCommand begins a new draft for a show, discarding any old one.
type StartCommand struct {
	Creator string `json:"-"`
	ShowID  string `json:"show_id"`
}

// StepCommand submits the form of the current step.
type StepCommand struct {
	Creator string            `json:"-"`
	Step    Step              `json:"step"`
	Fields  map[string]string `json:"fields"`
}

// ErrOutOfOrder is returned when the submitted step is not the current one.
var ErrOutOfOrder = errors.New("wizard: step submitted out of order")

// Publisher turns a finished draft into an episode.
type Publisher func(ctx context.Context, creator string, ep domain.Episode, slots []string) error

type Service struct {
	Drafts  ports.DraftStore
	Publish Publisher
	Now     func() time.Time
}

// Start writes a fresh draft at the first step after the show choice.
func (s *Service) Start(ctx context.Context, cmd StartCommand) error {
	if cmd.ShowID == "" {
		return fmt.Errorf("wizard: show_id is required")
	}
	d := Draft{Step: StepAudio, ShowID: cmd.ShowID, Started: s.Now().UTC()}
	b, err := json.Marshal(d)
	if err != nil {
		return err
	}
	return s.Drafts.Save(ctx, cmd.Creator, b)
}

// Advance applies one step's form to the creator's draft.
func (s *Service) Advance(ctx context.Context, cmd StepCommand) error {
	raw, ok, err := s.Drafts.Load(ctx, cmd.Creator)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("wizard: no draft: %w", domain.ErrNotFound)
	}
	var d Draft
	if err := json.Unmarshal(raw, &d); err != nil {
		return err
	}
	if cmd.Step != d.Step {
		return fmt.Errorf("%w: at %s, got %s", ErrOutOfOrder, d.Step, cmd.Step)
	}
	if err := apply(&d, cmd.Fields); err != nil {
		return err
	}
	if d.Step == StepReview {
		return s.finish(ctx, cmd.Creator, d)
	}
	d.Step++
	b, err := json.Marshal(d)
	if err != nil {
		return err
	}
	return s.Drafts.Save(ctx, cmd.Creator, b) // EXPECT kvrace
}

func (s *Service) finish(ctx context.Context, creator string, d Draft) error {
	ep := domain.Episode{
		ID:          fmt.Sprintf("%d", s.Now().UnixNano()),
		ShowID:      d.ShowID,
		Title:       d.Title,
		AudioURL:    d.AudioURL,
		Length:      time.Duration(d.LengthSec) * time.Second,
		PublishedAt: s.Now().UTC(),
		Explicit:    d.Explicit,
	}
	if err := s.Publish(ctx, creator, ep, d.Slots); err != nil {
		return err
	}
	return s.Drafts.Clear(ctx, creator)
}

func apply(d *Draft, f map[string]string) error {
	switch d.Step {
	case StepAudio:
		u, err := url.Parse(f["audio_url"])
		secs, serr := strconv.ParseInt(f["length_sec"], 10, 64)
		if err != nil || u.Scheme != "https" || serr != nil || secs <= 0 {
			return fmt.Errorf("wizard: an https audio_url and a positive length_sec are required")
		}
		d.AudioURL, d.LengthSec = u.String(), secs
	case StepDetails:
		if d.Title = strings.TrimSpace(f["title"]); d.Title == "" {
			return fmt.Errorf("wizard: title is required")
		}
		d.Explicit = f["explicit"] == "true"
	case StepSponsors:
		d.Slots = strings.FieldsFunc(f["slots"], func(r rune) bool { return r == ',' || r == ' ' })
	case StepReview:
		if f["confirm"] != "yes" {
			return fmt.Errorf("wizard: confirm the review step")
		}
	default:
		return fmt.Errorf("wizard: nothing to do at %s", d.Step)
	}
	return nil
}
