// Package domain holds the civic-engagement model shared by every use case:
// consultations and their polls, petitions, citizens, sign-in artefacts,
// comment threads and the errors the application layers agree on.
package domain

import (
	"slices"
	"time"
)

// ConsultationStatus tracks where a public consultation is in its lifecycle.
type ConsultationStatus string

const (
	StatusDraft  ConsultationStatus = "draft"
	StatusOpen   ConsultationStatus = "open"
	StatusClosed ConsultationStatus = "closed"
)

// Consultation is a public consultation run by the council.
type Consultation struct {
	ID        string             `json:"id"`
	Slug      string             `json:"slug"`
	Title     string             `json:"title"`
	Summary   string             `json:"summary"`
	Ward      string             `json:"ward,omitempty"`
	Status    ConsultationStatus `json:"status"`
	OpensAt   time.Time          `json:"opens_at"`
	ClosesAt  time.Time          `json:"closes_at"`
	PollIDs   []string           `json:"poll_ids"`
	ThreadID  string             `json:"thread_id,omitempty"`
	UpdatedBy string             `json:"updated_by,omitempty"`
}

// IsOpen reports whether citizens may respond at t.
func (c Consultation) IsOpen(t time.Time) bool {
	return c.Status == StatusOpen && !t.Before(c.OpensAt) && t.Before(c.ClosesAt)
}

// Option is one answer a poll offers.
type Option struct {
	ID    string `json:"id"`
	Label string `json:"label"`
}

// Poll is a question attached to a consultation.
type Poll struct {
	ID             string    `json:"id"`
	ConsultationID string    `json:"consultation_id"`
	Question       string    `json:"question"`
	Options        []Option  `json:"options"`
	MaxChoices     int       `json:"max_choices"`
	ClosesAt       time.Time `json:"closes_at"`
}

// HasOption reports whether id is one of the poll's options.
func (p Poll) HasOption(id string) bool {
	return slices.ContainsFunc(p.Options, func(o Option) bool { return o.ID == id })
}

// Ballot is one citizen's answer to one poll.
type Ballot struct {
	PollID    string    `json:"poll_id"`
	CitizenID string    `json:"citizen_id"`
	OptionIDs []string  `json:"option_ids"`
	CastAt    time.Time `json:"cast_at"`
}

// Petition is a citizen-initiated petition to the council.
type Petition struct {
	ID       string    `json:"id"`
	Title    string    `json:"title"`
	Target   int       `json:"target"`
	OpensAt  time.Time `json:"opens_at"`
	ClosesAt time.Time `json:"closes_at"`
}

// Signature records one citizen signing a petition.
type Signature struct {
	PetitionID string    `json:"petition_id"`
	CitizenID  string    `json:"citizen_id"`
	Name       string    `json:"name"`
	Ward       string    `json:"ward"`
	Public     bool      `json:"public"`
	SignedAt   time.Time `json:"signed_at"`
}

// Citizen is a registered resident account.
type Citizen struct {
	ID          string    `json:"id"`
	Email       string    `json:"email"`
	DisplayName string    `json:"display_name"`
	Ward        string    `json:"ward"`
	Phone       string    `json:"phone,omitempty"`
	Deactivated bool      `json:"deactivated"`
	ReferredBy  string    `json:"referred_by,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
}

// Session is a signed-in browser session.
type Session struct {
	ID        string    `json:"id"`
	CitizenID string    `json:"citizen_id"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
	LastSeen  time.Time `json:"last_seen"`
	UserAgent string    `json:"user_agent,omitempty"`
}

// MagicLink is a single-use sign-in link mailed to a citizen.
type MagicLink struct {
	Token      string    `json:"token"`
	Email      string    `json:"email"`
	RedirectTo string    `json:"redirect_to"`
	IssuedAt   time.Time `json:"issued_at"`
}

// GrantStatus is the state of a device-authorization grant.
type GrantStatus string

const (
	GrantPending  GrantStatus = "pending"
	GrantApproved GrantStatus = "approved"
	GrantDenied   GrantStatus = "denied"
)

// DeviceGrant lets a kiosk in a council building sign a citizen in.
type DeviceGrant struct {
	DeviceCode string      `json:"device_code"`
	UserCode   string      `json:"user_code"`
	KioskID    string      `json:"kiosk_id"`
	Status     GrantStatus `json:"status"`
	CitizenID  string      `json:"citizen_id,omitempty"`
	ExpiresAt  time.Time   `json:"expires_at"`
}

// CommentStatus is a comment's moderation state.
type CommentStatus string

const (
	CommentVisible CommentStatus = "visible"
	CommentHeld    CommentStatus = "held"
	CommentRemoved CommentStatus = "removed"
)

// Comment is a citizen's contribution to a consultation thread.
type Comment struct {
	ID       string        `json:"id"`
	AuthorID string        `json:"author_id"`
	Body     string        `json:"body"`
	PostedAt time.Time     `json:"posted_at"`
	Status   CommentStatus `json:"status"`
}

// Thread is the comment thread under a consultation.
type Thread struct {
	ID             string    `json:"id"`
	ConsultationID string    `json:"consultation_id"`
	Locked         bool      `json:"locked"`
	Comments       []Comment `json:"comments"`
}

// Flag is a report that a comment needs a moderator.
type Flag struct {
	CommentID string    `json:"comment_id"`
	ThreadID  string    `json:"thread_id"`
	Reason    string    `json:"reason"`
	FlaggedBy string    `json:"flagged_by"`
	FlaggedAt time.Time `json:"flagged_at"`
}

// Variant is one arm of a layout experiment.
type Variant struct {
	Name   string `json:"name"`
	Layout string `json:"layout"`
	Weight int    `json:"weight"`
}

// Experiment is an A/B test over consultation page layouts.
type Experiment struct {
	ID       string    `json:"id"`
	Name     string    `json:"name"`
	Variants []Variant `json:"variants"`
	StartsAt time.Time `json:"starts_at"`
	EndsAt   time.Time `json:"ends_at"`
}

// DigestFrequency is how often a citizen wants a summary email.
type DigestFrequency string

const (
	DigestWeekly DigestFrequency = "weekly"
)

// NotificationPrefs are a citizen's contact preferences.
type NotificationPrefs struct {
	Email  bool            `json:"email"`
	SMS    bool            `json:"sms"`
	Digest DigestFrequency `json:"digest"`
	Wards  []string        `json:"wards"`
}

// DefaultPrefs is what a new citizen starts with.
func DefaultPrefs(ward string) NotificationPrefs {
	return NotificationPrefs{Email: true, Digest: DigestWeekly, Wards: []string{ward}}
}
