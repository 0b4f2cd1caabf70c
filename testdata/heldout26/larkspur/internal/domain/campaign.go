package domain

import "time"

// Revision is one saved edit of a draft.
type Revision struct {
	Author  string    `json:"author"`
	Subject string    `json:"subject"`
	At      time.Time `json:"at"`
}

// Draft is a campaign being edited.
type Draft struct {
	ID        string     `json:"id"`
	SenderID  string     `json:"sender_id"`
	ListID    string     `json:"list_id"`
	Subject   string     `json:"subject"`
	HTML      string     `json:"html"`
	Revisions []Revision `json:"revisions,omitempty"`
	UpdatedAt time.Time  `json:"updated_at"`
}

// ScheduleState is the delivery state of a scheduled campaign.
type ScheduleState string

const (
	ScheduleQueued  ScheduleState = "queued"
	ScheduleSending ScheduleState = "sending"
	ScheduleSent    ScheduleState = "sent"
	ScheduleFailed  ScheduleState = "failed"
)

// Schedule says when a campaign goes out.
type Schedule struct {
	CampaignID string        `json:"campaign_id"`
	SenderID   string        `json:"sender_id"`
	ListID     string        `json:"list_id"`
	SendAt     time.Time     `json:"send_at"`
	State      ScheduleState `json:"state"`
}

// DeliveryStatus is the progress of a campaign being sent.
type DeliveryStatus struct {
	CampaignID string        `json:"campaign_id"`
	State      ScheduleState `json:"state"`
	Batch      int           `json:"batch"` // zero-based index of the last batch sent
	Batches    int           `json:"batches"`
	UpdatedAt  time.Time     `json:"updated_at"`
}

// Preview is a rendered draft, shared with reviewers by link.
type Preview struct {
	DraftID    string    `json:"draft_id"`
	HTML       string    `json:"html"`
	RenderedAt time.Time `json:"rendered_at"`
}

// ArchivePage is a rendered public archive page of a sent campaign.
type ArchivePage struct {
	SenderID   string    `json:"sender_id"`
	CampaignID string    `json:"campaign_id"`
	Title      string    `json:"title"`
	HTML       string    `json:"html"`
	SentAt     time.Time `json:"sent_at"`
	Tier       Tier      `json:"tier"`
	key        string
}

// WithKey returns the page bound to the KV key it is stored under.
func (p ArchivePage) WithKey(k string) ArchivePage { p.key = k; return p }

// Key implements the record contract of kvstore.Save.
func (p ArchivePage) Key() string { return p.key }

// TTL implements the record contract of kvstore.Save.
func (p ArchivePage) TTL() time.Duration { return p.Tier.TTL() }
