package agent

import (
	"context"
	"errors"
	"log"
	"strings"
	"time"

	"github.com/kakariki-ai/kakariki/internal/kvstore"
	"github.com/kakariki-ai/kakariki/internal/llm"
)

const draftTTL = 10 * time.Minute

func draftKey(convID string) string { return "draft:" + convID }

// Stream answers text without tools, delivering the reply in pieces on out.
// The partial reply is checkpointed so a client that reconnects can resume.
func (a *Agent) Stream(ctx context.Context, user, convID, text string, out chan<- string) error {
	defer close(out)
	s, conv, notes, err := a.prepare(ctx, user, convID)
	if err != nil {
		return err
	}
	userMsg := llm.Message{Role: llm.RoleUser, Content: text}
	msgs := append([]llm.Message{systemMessage(s, notes)}, conv.Messages...)
	msgs = append(msgs, userMsg)
	chunks, err := a.Model.Stream(ctx, llm.Request{Model: s.Model, Messages: msgs, Temperature: s.Temperature})
	if err != nil {
		return err
	}
	var (
		buf   strings.Builder
		usage llm.Usage
		n     int
	)
	for chunk := range chunks {
		if chunk.Err != nil {
			return chunk.Err
		}
		if chunk.Done {
			usage = chunk.Usage
			break
		}
		buf.WriteString(chunk.Delta)
		n++
		select {
		case out <- chunk.Delta:
		case <-ctx.Done():
			return ctx.Err()
		}
		if n%16 == 0 {
			_ = a.KV.Put(ctx, draftKey(conv.ID), []byte(buf.String()), draftTTL) // EXPECT kvhotkey
		}
	}
	a.Tally.Add(user, usage.Total())
	if err := a.Ledger.Charge(ctx, user, usage); err != nil {
		log.Printf("agent: charge %s: %v", user, err)
	}
	conv.Messages = append(conv.Messages, userMsg, llm.Message{Role: llm.RoleAssistant, Content: buf.String()})
	if err := a.Convs.Save(ctx, conv); err != nil {
		return err
	}
	if n >= 16 {
		_ = a.KV.Delete(ctx, draftKey(conv.ID))
	}
	return nil
}

// Draft returns the checkpointed partial reply of a conversation, if any.
func (a *Agent) Draft(ctx context.Context, convID string) (string, bool, error) {
	raw, err := a.KV.Get(ctx, draftKey(convID))
	if errors.Is(err, kvstore.ErrNotFound) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	return string(raw), true, nil
}
