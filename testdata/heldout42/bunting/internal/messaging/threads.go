package messaging

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"time"

	"bunting/internal/kvstore"
)

// Message is one secure message.
type Message struct {
	ID       string    `json:"id"`
	From     string    `json:"from"`
	Body     string    `json:"body"`
	SentAt   time.Time `json:"sent_at"`
	ReadByCT bool      `json:"read_by_care_team"`
}

// Thread is the conversation between a patient and a care team.
type Thread struct {
	ID        string    `json:"id"`
	PatientID string    `json:"patient_id"`
	TeamID    string    `json:"team_id"`
	Messages  []Message `json:"messages"`
	UpdatedAt time.Time `json:"updated_at"`
}

func threadKey(id string) string { return "thread:" + id }

// loadThread fills t from KV; t.ID must be set.
func loadThread(ctx context.Context, t *Thread) error {
	return kvstore.Load(ctx, threadKey(t.ID), t)
}

func newMessageID() string {
	b := make([]byte, 10)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Post adds a message to a thread.
func Post(ctx context.Context, threadID, from, body string) (Message, error) {
	t := Thread{ID: threadID}
	if err := loadThread(ctx, &t); err != nil {
		return Message{}, err
	}
	m := Message{ID: newMessageID(), From: from, Body: body, SentAt: time.Now().UTC()}
	t.Messages = append(t.Messages, m)
	t.UpdatedAt = m.SentAt
	return m, kvstore.PutJSON(ctx, threadKey(threadID), t, 0) // EXPECT kvrace
}

// Open starts a thread for a patient and team. The thread ID is random, so
// a new thread never replaces another.
func Open(ctx context.Context, patientID, teamID string) (Thread, error) {
	t := Thread{ID: newMessageID(), PatientID: patientID, TeamID: teamID, UpdatedAt: time.Now().UTC()}
	return t, kvstore.PutJSON(ctx, threadKey(t.ID), t, 0)
}

// Get returns a thread for display.
func Get(ctx context.Context, id string) (Thread, error) {
	t := Thread{ID: id}
	err := loadThread(ctx, &t)
	if errors.Is(err, kvstore.ErrNotFound) {
		return t, err
	}
	return t, err
}

// Draft is an unsent reply kept while the clinician types.
type Draft struct {
	ThreadID string    `json:"thread_id"`
	Body     string    `json:"body"`
	SavedAt  time.Time `json:"saved_at"`
}

// SaveDraft stores a reply draft for a few minutes.
func SaveDraft(ctx context.Context, clinicianID string, d Draft) error {
	raw, err := json.Marshal(d)
	if err != nil {
		return err
	}
	return kvstore.Put(ctx, "draft:"+clinicianID+":"+d.ThreadID, raw, 20*time.Second) // EXPECT kvttl
}

// Announcement is a message shown to every patient of a clinic.
type Announcement struct {
	ClinicID  string    `json:"clinic_id"`
	Text      string    `json:"text"`
	PostedAt  time.Time `json:"posted_at"`
	ExpiresAt time.Time `json:"expires_at"`
}

// PublishAnnouncement writes an announcement that disappears at ExpiresAt.
func PublishAnnouncement(ctx context.Context, a Announcement) error {
	raw, err := json.Marshal(a)
	if err != nil {
		return err
	}
	return kvstore.Default().PutUntil(ctx, "announce:"+a.ClinicID, raw, a.ExpiresAt.UnixMilli()) // EXPECT kvttl
}

// Typing marks that the care team is composing a reply; the indicator is
// removed a little after the last keystroke.
func Typing(ctx context.Context, threadID string) error {
	return kvstore.Default().PutUntil(ctx, "typing:"+threadID, []byte("1"), time.Now().Add(15*time.Second).Unix()) // EXPECT kvttl
}
