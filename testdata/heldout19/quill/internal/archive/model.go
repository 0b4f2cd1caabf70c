// Package archive serves a publication's public archive: Commands publish
// issues, Queries list and render them from KV, filling it from the origin.
package archive

import (
	"context"
	"errors"
	"time"
)

// ErrNoIssue is returned when an issue does not exist.
var ErrNoIssue = errors.New("archive: no such issue")

// Issue is a published issue.
type Issue struct {
	Tenant    string    `json:"tenant"`
	Number    int       `json:"number"`
	Slug      string    `json:"slug"`
	Title     string    `json:"title"`
	HTML      string    `json:"html"`
	Published time.Time `json:"published"`
	PaidOnly  bool      `json:"paid_only,omitempty"`
}

// Ref is an entry of the archive index.
type Ref struct {
	Number    int       `json:"n"`
	Title     string    `json:"t"`
	Published time.Time `json:"p"`
}

func (i Issue) ref() Ref { return Ref{Number: i.Number, Title: i.Title, Published: i.Published} }

func (i Issue) meta() map[string]any {
	m := map[string]any{
		"title":     i.Title,
		"slug":      i.Slug,
		"published": i.Published.Unix(),
	}
	if i.PaidOnly {
		m["paid"] = true
	}
	return m
}

// Origin is the authoritative store of issue bodies.
type Origin interface {
	Issue(ctx context.Context, tenant string, number int) (Issue, error)
}
