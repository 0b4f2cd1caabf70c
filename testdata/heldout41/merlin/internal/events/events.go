// Package events defines the domain events of a live quiz and the visitor
// used to dispatch them to projections.
package events

import "time"

// Topics on the bus.
const (
	TopicHostLogin       = "host.login"
	TopicHostLogout      = "host.logout"
	TopicPasswordChanged = "host.password_changed"
	TopicAudienceJoined  = "audience.joined"
	TopicVoteCast        = "vote.cast"
	TopicAnswerSubmitted = "answer.submitted"
	TopicQuestionAsked   = "moderation.asked"
	TopicQuizAdvanced    = "quiz.advanced"
	TopicQuizClosed      = "quiz.closed"
)

// Visitor receives events by double dispatch: evt.Apply(v) calls the method
// for the event's concrete type.
type Visitor interface {
	VisitHostLogin(HostLoggedIn) error
	VisitHostLogout(*HostLoggedOut) error
	VisitPasswordChanged(PasswordChanged) error
	VisitAudienceJoined(AudienceJoined) error
	VisitVote(VoteCast) error
	VisitAnswer(AnswerSubmitted) error
	VisitQuestion(*QuestionAsked) error
	VisitQuizAdvanced(QuizAdvanced) error
	VisitQuizClosed(QuizClosed) error
}

// Event is a domain event that can be published on the bus.
type Event interface {
	Topic() string
	Apply(v Visitor) error
}

// Ignore implements Visitor with no-ops; projections that care about a few
// events embed it and override the methods they need.
type Ignore struct{}

func (Ignore) VisitHostLogin(HostLoggedIn) error          { return nil }
func (Ignore) VisitHostLogout(*HostLoggedOut) error       { return nil }
func (Ignore) VisitPasswordChanged(PasswordChanged) error { return nil }
func (Ignore) VisitAudienceJoined(AudienceJoined) error   { return nil }
func (Ignore) VisitVote(VoteCast) error                   { return nil }
func (Ignore) VisitAnswer(AnswerSubmitted) error          { return nil }
func (Ignore) VisitQuestion(*QuestionAsked) error         { return nil }
func (Ignore) VisitQuizAdvanced(QuizAdvanced) error       { return nil }
func (Ignore) VisitQuizClosed(QuizClosed) error           { return nil }

// HostLoggedIn is published after a host proved their identity.
type HostLoggedIn struct {
	HostID    string
	SessionID string
	UserAgent string
	At        time.Time
}

func (HostLoggedIn) Topic() string           { return TopicHostLogin }
func (e HostLoggedIn) Apply(v Visitor) error { return v.VisitHostLogin(e) }

// HostLoggedOut is published when a host signs out of one session.
type HostLoggedOut struct {
	HostID    string
	SessionID string
}

func (*HostLoggedOut) Topic() string           { return TopicHostLogout }
func (e *HostLoggedOut) Apply(v Visitor) error { return v.VisitHostLogout(e) }

// PasswordChanged is published after a host changed their password.
type PasswordChanged struct {
	HostID string
	At     time.Time
}

func (PasswordChanged) Topic() string           { return TopicPasswordChanged }
func (e PasswordChanged) Apply(v Visitor) error { return v.VisitPasswordChanged(e) }

// AudienceJoined is published when a device joined a quiz with a code.
type AudienceJoined struct {
	QuizID   string
	DeviceID string
	Nick     string
	At       time.Time
}

func (AudienceJoined) Topic() string           { return TopicAudienceJoined }
func (e AudienceJoined) Apply(v Visitor) error { return v.VisitAudienceJoined(e) }

// VoteCast is one poll vote.
type VoteCast struct {
	QuizID     string
	QuestionID string
	Option     string
	DeviceID   string
	At         time.Time
}

func (VoteCast) Topic() string           { return TopicVoteCast }
func (e VoteCast) Apply(v Visitor) error { return v.VisitVote(e) }

// AnswerSubmitted is one scored quiz answer.
type AnswerSubmitted struct {
	QuizID     string
	QuestionID string
	DeviceID   string
	Nick       string
	Points     int
	At         time.Time
}

func (AnswerSubmitted) Topic() string           { return TopicAnswerSubmitted }
func (e AnswerSubmitted) Apply(v Visitor) error { return v.VisitAnswer(e) }

// QuestionAsked is a question from the audience waiting for moderation.
type QuestionAsked struct {
	QuizID   string
	ItemID   string
	DeviceID string
	Text     string
	At       time.Time
}

func (*QuestionAsked) Topic() string           { return TopicQuestionAsked }
func (e *QuestionAsked) Apply(v Visitor) error { return v.VisitQuestion(e) }

// QuizAdvanced is published when the host moves to another question.
type QuizAdvanced struct {
	QuizID   string
	Question int
	At       time.Time
}

func (QuizAdvanced) Topic() string           { return TopicQuizAdvanced }
func (e QuizAdvanced) Apply(v Visitor) error { return v.VisitQuizAdvanced(e) }

// QuizClosed is published when the host ends the event.
type QuizClosed struct {
	QuizID  string
	EndedAt time.Time
}

func (QuizClosed) Topic() string           { return TopicQuizClosed }
func (e QuizClosed) Apply(v Visitor) error { return v.VisitQuizClosed(e) }
