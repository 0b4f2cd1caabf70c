package agent

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"strings"
	"time"

	"github.com/kakariki-ai/kakariki/internal/cache"
	"github.com/kakariki-ai/kakariki/internal/conversation"
	"github.com/kakariki-ai/kakariki/internal/kvstore"
	"github.com/kakariki-ai/kakariki/internal/llm"
	"github.com/kakariki-ai/kakariki/internal/quota"
	"github.com/kakariki-ai/kakariki/internal/tools"
)

// ErrTooManyTurns is returned when the model keeps calling tools past the
// user's turn budget.
var ErrTooManyTurns = errors.New("agent: the model did not finish within the turn budget")

const toolRunRetention = 7 * 24 * time.Hour

// Agent answers user messages.
type Agent struct {
	KV        *kvstore.Store
	Model     llm.Client
	Convs     *conversation.Store
	Ledger    *quota.Ledger
	Tally     *quota.Tally
	Responses *cache.Responses
	Emb       *cache.Embeddings
	Calendar  tools.CalendarAPI
	BaseURL   string
}

// ToolRun is the audit record of one tool call.
type ToolRun struct {
	ConversationID string          `json:"conversation_id"`
	CallID         string          `json:"call_id"`
	Tool           string          `json:"tool"`
	Args           json.RawMessage `json:"args"`
	Output         string          `json:"output"`
	Error          string          `json:"error,omitempty"`
	Took           time.Duration   `json:"took"`
}

func (a *Agent) registry(user, convID string, s Settings) *tools.Registry {
	ts := []tools.Tool{
		&tools.Reminders{KV: a.KV, UserID: user},
		&tools.Share{KV: a.KV, UserID: user, ConversationID: convID, BaseURL: a.BaseURL},
		&tools.Calendar{KV: a.KV, UserID: user, API: a.Calendar, CacheTTL: 45 * time.Second},
		&tools.Documents{KV: a.KV, UserID: user, Emb: a.Emb},
		&Preferences{KV: a.KV, UserID: user},
	}
	if s.Memory {
		ts = append(ts, &tools.Memory{KV: a.KV, UserID: user, MaxNotes: 200})
	}
	return tools.NewRegistry(ts...)
}

// prepare loads everything a turn needs and enforces the user's limits.
func (a *Agent) prepare(ctx context.Context, user, convID string) (Settings, *conversation.Conversation, []tools.Note, error) {
	s, err := LoadSettings(ctx, a.KV, user)
	if err != nil {
		return s, nil, nil, err
	}
	plan, err := a.Ledger.Plan(ctx, user)
	if err != nil {
		return s, nil, nil, err
	}
	if err := a.Ledger.Allow(ctx, user, plan); err != nil {
		return s, nil, nil, err
	}
	if err := a.Ledger.Check(ctx, user); err != nil {
		return s, nil, nil, err
	}
	conv, err := a.Convs.Load(ctx, user, convID)
	if err != nil {
		return s, nil, nil, err
	}
	var notes []tools.Note
	if s.Memory {
		notes, err = (&tools.Memory{KV: a.KV, UserID: user}).Notes(ctx)
		if err != nil {
			log.Printf("agent: memory unavailable for %s: %v", user, err)
		}
	}
	return s, conv, notes, nil
}

// Run answers text in conversation convID, calling tools as the model asks.
func (a *Agent) Run(ctx context.Context, user, convID, text string) (string, error) {
	s, conv, notes, err := a.prepare(ctx, user, convID)
	if err != nil {
		return "", err
	}
	reg := a.registry(user, conv.ID, s)
	msgs := append([]llm.Message{systemMessage(s, notes)}, conv.Messages...)
	msgs = append(msgs, llm.Message{Role: llm.RoleUser, Content: text})

	for turn := range s.MaxTurns {
		req := llm.Request{Model: s.Model, Messages: msgs, Tools: reg.Specs(), Temperature: s.Temperature}
		comp, err := a.complete(ctx, req)
		if err != nil {
			return "", err
		}
		a.Tally.Add(user, comp.Usage.Total())
		if err := a.Ledger.Charge(ctx, user, comp.Usage); err != nil {
			log.Printf("agent: charge %s: %v", user, err)
		}
		msgs = append(msgs, comp.Message)
		conv.Messages = msgs[1:]
		conv.Model = s.Model
		if err := a.Convs.Save(ctx, conv); err != nil { // DEBATABLE kvhotkey
			return "", err
		}
		if len(comp.Message.ToolCalls) == 0 {
			if conv.Title == "" {
				conv.Title = titleFrom(text)
				if err := a.Convs.Index(ctx, conv); err != nil {
					log.Printf("agent: index %s: %v", conv.ID, err)
				}
			}
			return comp.Message.Content, nil
		}
		for _, call := range comp.Message.ToolCalls {
			status := fmt.Sprintf(`{"turn":%d,"tool":%q,"at":%d}`, turn, call.Name, time.Now().Unix())
			_ = a.KV.Put(ctx, "status:"+conv.ID, []byte(status), 5*time.Minute) // EXPECT kvhotkey
			out := a.dispatch(ctx, reg, conv.ID, call)
			msgs = append(msgs, llm.Message{Role: llm.RoleTool, ToolCallID: call.ID, Name: call.Name, Content: out})
		}
	}
	return "", ErrTooManyTurns
}

// dispatch runs one tool call and returns the text handed back to the model.
func (a *Agent) dispatch(ctx context.Context, reg *tools.Registry, convID string, call llm.ToolCall) string {
	start := time.Now()
	run := ToolRun{ConversationID: convID, CallID: call.ID, Tool: call.Name, Args: call.Arguments}
	tool, ok := reg.Lookup(call.Name)
	if !ok {
		run.Error = "unknown tool"
	} else {
		tctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		out, err := tool.Call(tctx, call.Arguments)
		cancel()
		run.Output = out
		if err != nil {
			run.Error = err.Error()
		}
	}
	run.Took = time.Since(start)
	if err := a.KV.PutJSON(ctx, "toolrun:"+convID+":"+call.ID, run, toolRunRetention); err != nil {
		log.Printf("agent: audit %s/%s: %v", convID, call.ID, err)
	}
	if run.Error != "" {
		return "error: " + run.Error
	}
	return run.Output
}

func (a *Agent) complete(ctx context.Context, req llm.Request) (*llm.Completion, error) {
	if reason, refused := a.Responses.Refused(ctx, req); refused {
		return &llm.Completion{Message: llm.Message{Role: llm.RoleAssistant, Content: reason}, FinishReason: "content_filter"}, nil
	}
	if comp, ok, err := a.Responses.Lookup(ctx, req); err == nil && ok {
		return comp, nil
	}
	comp, err := a.Model.Complete(ctx, req)
	if err != nil {
		return nil, err
	}
	if err := a.Responses.Store(ctx, req, comp); err != nil {
		log.Printf("agent: cache store: %v", err)
	}
	return comp, nil
}

func titleFrom(text string) string {
	text = strings.TrimSpace(strings.ReplaceAll(text, "\n", " "))
	if len(text) > 60 {
		if i := strings.LastIndexByte(text[:60], ' '); i > 20 {
			return text[:i] + "…"
		}
		return text[:60] + "…"
	}
	return text
}
