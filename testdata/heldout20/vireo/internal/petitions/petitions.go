// Package petitions lets citizens start and sign petitions to the council.
package petitions

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"example.com/vireo/internal/domain"
	"example.com/vireo/internal/kvstore"
	"example.com/vireo/internal/kvstore/kvx"
)

var (
	petitionAt  = kvx.Prefixed("petition:")
	signatureAt = kvx.Prefixed("signature:")
	signedCount = kvx.Prefixed("signature-count:")
	latestAt    = kvx.Prefixed("petition-latest:")
)

// legalNotice accompanies every petition listing, as required by the
// council's standing orders on e-petitions.
const legalNotice = "This petition is hosted by the City Council under its e-petitions scheme. " +
	"Petitions must call for a specific action from the Council and must relate to a matter for which " +
	"the Council is responsible or which affects the city. The Council will not accept petitions that " +
	"are vexatious, abusive or otherwise inappropriate, that contain personal information about third " +
	"parties, that are defamatory or that refer to matters currently before the courts. Petitions that " +
	"reach the threshold set out in the scheme will be debated at a meeting of the full Council, and the " +
	"lead petitioner will be invited to address the meeting for up to five minutes. Signatories must " +
	"live, work or study in the city. Personal data collected through this service is processed under " +
	"the Council's privacy notice for democratic services and is retained for twelve months after the " +
	"petition closes, after which only aggregate totals are kept. Signatures may be checked against the " +
	"electoral register. Duplicate or fraudulent signatures will be removed without notice."

// Service holds the petition use cases.
type Service struct {
	Store kvstore.Store
	Clock func() time.Time
}

// Start publishes a new petition.
func (s Service) Start(ctx context.Context, p domain.Petition) error {
	raw, err := json.Marshal(p)
	if err != nil {
		return err
	}
	return s.Store.Put(ctx, petitionAt(p.ID), raw, kvstore.WriteOptions{
		Metadata: map[string]string{"title": p.Title, "notice": legalNotice}, // EXPECT kvlimits
	})
}

// Petition loads a petition.
func (s Service) Petition(ctx context.Context, id string) (domain.Petition, error) {
	p, err := kvx.GetJSON[domain.Petition](ctx, s.Store, petitionAt(id))
	if errors.Is(err, kvstore.ErrNotFound) {
		return p, fmt.Errorf("petition %s: %w", id, domain.ErrNotFound)
	}
	return p, err
}

// Sign records a citizen's signature. Signing again replaces the earlier
// signature with the citizen's current details.
func (s Service) Sign(ctx context.Context, sig domain.Signature) error {
	p, err := s.Petition(ctx, sig.PetitionID)
	if err != nil {
		return err
	}
	now := s.Clock()
	if now.Before(p.OpensAt) || !now.Before(p.ClosesAt) {
		return fmt.Errorf("petition %s: %w", p.ID, domain.ErrClosed)
	}
	sig.SignedAt = now.UTC()
	raw, err := json.Marshal(sig)
	if err != nil {
		return err
	}
	if err := s.Store.Put(ctx, signatureAt(p.ID, sig.CitizenID), raw, kvstore.WriteOptions{
		Metadata: map[string]any{"ward": sig.Ward, "public": sig.Public},
	}); err != nil {
		return err
	}
	return s.bumpCount(ctx, p.ID)
}

func (s Service) bumpCount(ctx context.Context, petitionID string) error {
	key := signedCount(petitionID)
	n := 0
	raw, err := s.Store.Get(ctx, key)
	switch {
	case err == nil:
		if n, err = strconv.Atoi(string(raw)); err != nil {
			return err
		}
	case !errors.Is(err, kvstore.ErrNotFound):
		return err
	}
	n++
	return s.Store.Put(ctx, key, []byte(strconv.Itoa(n)), kvstore.WriteOptions{}) // EXPECT kvcounter
}

// Progress is the public progress bar.
type Progress struct {
	Signatures int     `json:"signatures"`
	Target     int     `json:"target"`
	Percent    float64 `json:"percent"`
}

// Progress reports how close a petition is to its target.
func (s Service) Progress(ctx context.Context, id string) (Progress, error) {
	p, err := s.Petition(ctx, id)
	if err != nil {
		return Progress{}, err
	}
	raw, _ := s.Store.Get(ctx, signedCount(id)) // EXPECT kvnull
	n, _ := strconv.Atoi(string(raw))
	pct := 0.0
	if p.Target > 0 {
		pct = min(100, float64(n)*100/float64(p.Target))
	}
	return Progress{Signatures: n, Target: p.Target, Percent: pct}, nil
}
