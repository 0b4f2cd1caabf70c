//go:build js && wasm

// Package booking serves tutor availability, booking holds, the student's
// cart and checkout at the edge.
package booking

import (
	"encoding/json"
	"errors"
	"log"
	"net/http"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"hawfinch/internal/config"
	"hawfinch/internal/edge/auth"
	"hawfinch/internal/edge/notify"
	"hawfinch/internal/edge/web"
	"hawfinch/internal/edgekv"
	"hawfinch/internal/kind"
)

const snoozeFor = time.Hour

// Service implements the booking endpoints.
type Service struct {
	root   edgekv.Scope
	cfg    config.Settings
	origin *web.Origin
	auth   *auth.Service
	pub    *notify.Publisher
}

// New returns the booking service.
func New(root edgekv.Scope, cfg config.Settings, origin *web.Origin, a *auth.Service, pub *notify.Publisher) *Service {
	return &Service{root: root, cfg: cfg, origin: origin, auth: a, pub: pub}
}

// Routes registers the endpoints on mux.
func (s *Service) Routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /tutors/{tutor}/availability/{date}", s.availability)
	mux.HandleFunc("POST /tutors/{tutor}/slots/{slot}/hold", s.placeHold)
	mux.HandleFunc("POST /cart/items", s.addToCart)
	mux.HandleFunc("POST /cart/checkout", s.checkout)
	mux.HandleFunc("POST /reminders/{booking}/snooze", s.snooze)
	mux.HandleFunc("POST /students/{student}/notes", s.addNote)
}

func (s *Service) tutor(id string) edgekv.Scope { return s.root.Scope("tutor", id) }

// Slot is one bookable lesson slot.
type Slot struct {
	ID    string    `json:"id"`
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// Day is a tutor's open slots on one date, valid until the next slot starts.
type Day struct {
	TutorID    string    `json:"tutor_id"`
	Date       string    `json:"date"`
	Open       []Slot    `json:"open"`
	ValidUntil time.Time `json:"valid_until"`
}

func (d Day) Key() string        { return d.Date }
func (d Day) TTL() time.Duration { return time.Until(d.ValidUntil) }

func (s *Service) availability(w http.ResponseWriter, r *http.Request) {
	tutorID, date := r.PathValue("tutor"), r.PathValue("date")
	days := s.tutor(tutorID).Kind(kind.Availability)
	var day Day
	found, err := edgekv.Load(days, date, &day)
	if err != nil {
		log.Printf("booking: cached day %s/%s: %v", tutorID, date, err)
	}
	if found {
		web.JSON(w, http.StatusOK, day)
		return
	}
	if err := s.origin.GetJSON(r.Context(), "/v1/tutors/"+tutorID+"/availability/"+date, &day); err != nil {
		web.Error(w, http.StatusBadGateway, "availability unavailable")
		return
	}
	day.ValidUntil = endOfDay(date)
	for _, sl := range day.Open {
		if sl.Start.After(time.Now()) && sl.Start.Before(day.ValidUntil) {
			day.ValidUntil = sl.Start
		}
	}
	if err := edgekv.Save(days, day); err != nil { // EXPECT kvttl
		log.Printf("booking: cache day: %v", err)
	}
	web.JSON(w, http.StatusOK, day)
}

func endOfDay(date string) time.Time {
	t, err := time.Parse(time.DateOnly, date)
	if err != nil {
		return time.Now().Add(time.Hour)
	}
	return t.Add(24 * time.Hour)
}

// Hold keeps a slot for one student while they check out.
type Hold struct {
	SlotID    string    `json:"slot_id"`
	TutorID   string    `json:"tutor_id"`
	StudentID string    `json:"student_id"`
	ExpiresAt time.Time `json:"expires_at"`
}

func (h Hold) Key() string        { return h.SlotID }
func (h Hold) TTL() time.Duration { return max(time.Until(h.ExpiresAt), time.Minute) }

var errHeld = errors.New("slot is held by someone else")

func (s *Service) placeHold(w http.ResponseWriter, r *http.Request) {
	sess, err := s.auth.Current(r)
	if err != nil {
		web.Error(w, http.StatusUnauthorized, "sign in first")
		return
	}
	tutorID, slotID := r.PathValue("tutor"), r.PathValue("slot")
	holds := s.tutor(tutorID).Kind(kind.BookingHold)
	if _, held, err := holds.Lookup(slotID, 0); err != nil {
		web.Error(w, http.StatusBadGateway, "try again")
		return
	} else if held {
		web.Error(w, http.StatusConflict, errHeld.Error())
		return
	}
	hold := Hold{SlotID: slotID, TutorID: tutorID, StudentID: sess.UserID, ExpiresAt: time.Now().Add(s.cfg.HoldTTL)}
	if err := edgekv.Save(holds, hold); err != nil { // EXPECT kvrace
		web.Error(w, http.StatusBadGateway, "could not hold slot")
		return
	}
	index := s.root.Scope("hold-index")
	if err := index.PutAtLeast(tutorID+":"+slotID, sess.UserID, s.cfg.HoldTTL); err != nil {
		log.Printf("booking: index hold: %v", err)
	}
	web.JSON(w, http.StatusCreated, hold)
}

func (s *Service) snooze(w http.ResponseWriter, r *http.Request) {
	sess, err := s.auth.Current(r)
	if err != nil {
		web.Error(w, http.StatusUnauthorized, "sign in first")
		return
	}
	bookingID := r.PathValue("booking")
	snoozed := s.root.Scope("student", sess.UserID).Scope("snoozed")
	err = snoozed.Namespace().PutString(snoozed.Key(bookingID), time.Now().UTC().Format(time.RFC3339), &kv.PutOptions{
		ExpirationTTL: int(snoozeFor), // EXPECT kvttl
	})
	if err != nil {
		web.Error(w, http.StatusBadGateway, "try again")
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

type note struct {
	Line string `json:"line"`
}

// addNote appends a tutor's private note about a student after a lesson.
func (s *Service) addNote(w http.ResponseWriter, r *http.Request) {
	sess, err := s.auth.Current(r)
	if err != nil || sess.Role != "tutor" {
		web.Error(w, http.StatusForbidden, "tutors only")
		return
	}
	var n note
	if err := json.NewDecoder(r.Body).Decode(&n); err != nil || n.Line == "" {
		web.Error(w, http.StatusBadRequest, "empty note")
		return
	}
	notes := s.tutor(sess.UserID).Scope("student", r.PathValue("student"))
	stamp := time.Now().UTC().Format("2006-01-02 15:04")
	done := make(chan error, 1)
	go func() {
		prev, ok, err := notes.Lookup("notes", 0)
		if err != nil {
			done <- err
			return
		}
		text := stamp + "  " + n.Line
		if ok {
			text = prev + "\n" + text
		}
		done <- notes.Put("notes", text, 0) // EXPECT kvrace
	}()
	if err := <-done; err != nil {
		web.Error(w, http.StatusBadGateway, "note not saved")
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
