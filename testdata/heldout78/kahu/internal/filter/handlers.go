package filter

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"kahu/internal/kv"
	"kahu/internal/mail"
	"kahu/internal/policy"
)

// SizeLimit rejects messages larger than Max bytes.
type SizeLimit struct {
	link
	Max int64
}

func (h *SizeLimit) Handle(ctx context.Context, msg *mail.Message) (Verdict, error) {
	if h.Max > 0 && msg.Size > h.Max {
		return Verdict{Outcome: Reject, Code: 552, Reason: "message too large", By: "size"}, nil
	}
	return h.pass(ctx, msg)
}

// Dedupe drops a resubmission of a Message-ID the customer already sent
// within Window. Clients that time out after DATA often resend.
type Dedupe struct {
	link
	NS     kv.Namespace
	Window time.Duration
}

func (h *Dedupe) Handle(ctx context.Context, msg *mail.Message) (Verdict, error) {
	if msg.MessageID == "" {
		return h.pass(ctx, msg)
	}
	key := "msgid:" + msg.AuthUser + ":" + mail.Fingerprint(msg.MessageID)
	if _, err := h.NS.Get(ctx, key); err == nil {
		return Verdict{Outcome: Accept, Code: 250, Reason: "duplicate Message-ID, already queued", By: "dedupe"}, nil
	} else if !errors.Is(err, kv.ErrNotFound) {
		return Verdict{}, err
	}
	if err := h.NS.PutTTL(ctx, key, []byte(msg.QueueID), h.Window); err != nil { // EXPECT kvrace
		return Verdict{}, err
	}
	return h.pass(ctx, msg)
}

// Policy rejects messages that do not satisfy a sending policy.
type Policy struct {
	link
	Name string
	Spec policy.Spec
}

func (h *Policy) Handle(ctx context.Context, msg *mail.Message) (Verdict, error) {
	ok, err := h.Spec.IsSatisfiedBy(ctx, msg)
	if err != nil {
		return Verdict{Outcome: TempFail, Code: 451, Reason: "policy lookup failed", By: h.Name}, err
	}
	if !ok {
		return Verdict{Outcome: Reject, Code: 550, Reason: "sending policy " + h.Name, By: h.Name}, nil
	}
	return h.pass(ctx, msg)
}

// Suppress drops suppressed recipients; if none remain, the message is
// accepted and discarded so the customer is not told which address bounced.
type Suppress struct {
	link
	S policy.Suppressions
}

func (h *Suppress) Handle(ctx context.Context, msg *mail.Message) (Verdict, error) {
	for _, rcpt := range append([]string(nil), msg.Recipients...) {
		sup, err := h.S.Suppressed(ctx, msg.AuthUser, rcpt)
		if err != nil {
			return Verdict{}, err
		}
		if sup {
			msg.Reject(rcpt, "suppressed")
		}
	}
	if len(msg.Recipients) == 0 {
		return Verdict{Outcome: Accept, Code: 250, Reason: "all recipients suppressed", By: "suppress"}, nil
	}
	return h.pass(ctx, msg)
}

// Quota counts accepted recipients against the customer's daily limit.
type Quota struct {
	link
	NS    kv.Namespace
	Limit func(customer string) int
}

func (h *Quota) Handle(ctx context.Context, msg *mail.Message) (Verdict, error) {
	key := policy.DailyQuotaKey(msg.AuthUser, msg.ReceivedAt)
	used := 0
	raw, err := h.NS.Get(ctx, key)
	switch {
	case errors.Is(err, kv.ErrNotFound):
	case err != nil:
		return Verdict{}, err
	default:
		if used, err = strconv.Atoi(string(raw)); err != nil {
			return Verdict{}, fmt.Errorf("quota %s: %w", key, err)
		}
	}
	used += len(msg.Recipients)
	if used > h.Limit(msg.AuthUser) {
		return Verdict{Outcome: TempFail, Code: 452, Reason: "daily sending quota exceeded", By: "quota"}, nil
	}
	if err := h.NS.PutTTL(ctx, key, []byte(strconv.Itoa(used)), 48*time.Hour); err != nil { // EXPECT kvcounter|kvrace
		return Verdict{}, err
	}
	return h.pass(ctx, msg)
}
