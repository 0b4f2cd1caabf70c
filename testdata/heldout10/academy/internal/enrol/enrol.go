// Package enrol enrols learners in courses and keeps the per-course roster
// and organisation seat usage up to date.
package enrol

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"example.com/academy/internal/auth"
	"example.com/academy/internal/keys"
	"example.com/academy/internal/kvstore"
	"example.com/academy/internal/kvstore/cfkv"
	"example.com/academy/internal/retry"
)

var ErrNoSeats = errors.New("enrol: organisation has no seats left")

type Enrolment struct {
	CourseID   string    `json:"course_id"`
	LearnerID  string    `json:"learner_id"`
	OrgID      string    `json:"org_id"`
	EnrolledAt time.Time `json:"enrolled_at"`
	TrialEnds  time.Time `json:"trial_ends,omitzero"`
}

type Profile struct {
	ID    string    `json:"id"`
	OrgID string    `json:"org_id"`
	Since time.Time `json:"since"`
}

// Seats tells how many seats an organisation bought.
type Seats interface {
	Purchased(ctx context.Context, orgID string) (int, error)
}

type Service struct {
	values  *kv.NamespaceValueService
	account string
	ns      string
	store   kvstore.Store
	seats   Seats
}

func NewService(client *cloudflare.Client, accountID, namespaceID string, store kvstore.Store, seats Seats) *Service {
	return &Service{values: client.KV.Namespaces.Values, account: accountID, ns: namespaceID, store: store, seats: seats}
}

func (s *Service) updateParams(raw []byte) kv.NamespaceValueUpdateParams {
	return kv.NamespaceValueUpdateParams{AccountID: cloudflare.F(s.account), Value: cloudflare.F(string(raw))}
}

// Enrol registers the learner on the course.
func (s *Service) Enrol(ctx context.Context, courseID, learnerID, orgID string) (Enrolment, error) {
	if _, err := s.profile(ctx, learnerID, orgID); err != nil {
		return Enrolment{}, err
	}
	if orgID != "" {
		if err := s.chargeSeat(ctx, orgID); err != nil {
			return Enrolment{}, err
		}
	}
	e := Enrolment{CourseID: courseID, LearnerID: learnerID, OrgID: orgID, EnrolledAt: time.Now().UTC()}
	meta := map[string]string{"learner": learnerID, "org": orgID}
	if err := kvstore.PutJSON(ctx, s.store, keys.Enrolment+courseID+":"+learnerID, e, kvstore.WithMetadata(meta)); err != nil {
		return Enrolment{}, err
	}
	return e, s.addToRoster(ctx, courseID, learnerID)
}

// StartTrial gives a learner access until the trial end date.
func (s *Service) StartTrial(ctx context.Context, courseID, learnerID string, ends time.Time) error {
	ttl := time.Until(ends)
	if ttl < time.Minute {
		ttl = time.Minute
	}
	e := Enrolment{CourseID: courseID, LearnerID: learnerID, EnrolledAt: time.Now().UTC(), TrialEnds: ends}
	return kvstore.PutJSON(ctx, s.store, "trial:"+courseID+":"+learnerID, e, kvstore.WithTTL(ttl))
}

// profile returns the learner profile, creating it on the first enrolment.
func (s *Service) profile(ctx context.Context, learnerID, orgID string) (Profile, error) {
	key := "learner:" + learnerID
	raw, err := s.store.Get(ctx, key) // EXPECT kvnull
	if err != nil {
		p := Profile{ID: learnerID, OrgID: orgID, Since: time.Now().UTC()}
		return p, kvstore.PutJSON(ctx, s.store, key, p)
	}
	var p Profile
	err = json.Unmarshal(raw, &p)
	return p, err
}

type orgUsage struct {
	SeatsUsed     int       `json:"seats_used"`
	LastEnrolment time.Time `json:"last_enrolment"`
}

func (s *Service) chargeSeat(ctx context.Context, orgID string) error {
	bought, err := s.seats.Purchased(ctx, orgID)
	if err != nil {
		return err
	}
	key := "usage:org:" + orgID
	u, _, err := kvstore.GetJSON[orgUsage](ctx, s.store, key)
	if err != nil {
		return err
	}
	if u.SeatsUsed >= bought {
		return ErrNoSeats
	}
	u.SeatsUsed++
	u.LastEnrolment = time.Now().UTC()
	return retry.Do(ctx, 3, func() error { return kvstore.PutJSON(ctx, s.store, key, u) }) // EXPECT kvcounter|kvrace
}

// addToRoster appends the learner to the course roster the instructor sees.
func (s *Service) addToRoster(ctx context.Context, courseID, learnerID string) error {
	key := keys.Roster + courseID
	var roster []string
	res, err := s.values.Get(ctx, s.ns, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(s.account)})
	switch {
	case err == nil:
		err = json.NewDecoder(res.Body).Decode(&roster)
		res.Body.Close()
		if err != nil {
			return fmt.Errorf("enrol: roster %s: %w", courseID, err)
		}
	case !cfkv.IsNotFound(err):
		return fmt.Errorf("enrol: roster %s: %w", courseID, err)
	}
	if slices.Contains(roster, learnerID) {
		return nil
	}
	roster = append(roster, learnerID)
	raw, err := json.Marshal(roster)
	if err != nil {
		return err
	}
	_, err = s.values.Update(ctx, s.ns, key, s.updateParams(raw)) // EXPECT kvrace
	return err
}

type Handler struct {
	svc *Service
	log *slog.Logger
}

func NewHandler(svc *Service, log *slog.Logger) *Handler { return &Handler{svc: svc, log: log} }

type enrolRequest struct {
	CourseID    string `json:"course_id"`
	CourseTitle string `json:"course_title"`
	OrgID       string `json:"org_id"`
}

func (h *Handler) Enrol(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	learner, ok := auth.LearnerFrom(ctx)
	if !ok {
		http.Error(w, "sign in required", http.StatusUnauthorized)
		return
	}
	var req enrolRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.CourseID == "" {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	e, err := h.svc.Enrol(ctx, req.CourseID, learner, req.OrgID)
	if errors.Is(err, ErrNoSeats) {
		http.Error(w, err.Error(), http.StatusPaymentRequired)
		return
	}
	if err != nil {
		h.log.ErrorContext(ctx, "enrol failed", "course", req.CourseID, "err", err)
		http.Error(w, "could not enrol", http.StatusBadGateway)
		return
	}
	// the marketing site shows "someone just enrolled in ..."
	ticker := kv.NamespaceValueUpdateParams{AccountID: cloudflare.F(h.svc.account), Value: cloudflare.F(req.CourseTitle)}
	if _, err := h.svc.values.Update(ctx, h.svc.ns, "ticker:latest-enrolment", ticker); err != nil { // EXPECT kvhotkey
		h.log.WarnContext(ctx, "ticker not updated", "err", err)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	_ = json.NewEncoder(w).Encode(e)
}
