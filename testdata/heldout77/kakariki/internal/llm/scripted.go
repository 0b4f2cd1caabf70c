package llm

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"strings"
)

// Scripted is a deterministic Client: it answers the first user turn with the
// tool calls in Plan and then with a plain summary of the tool results.
type Scripted struct {
	Plan []ToolCall
}

// Complete implements Client.
func (s *Scripted) Complete(_ context.Context, req Request) (*Completion, error) {
	var toolResults []string
	for _, m := range req.Messages {
		if m.Role == RoleTool {
			toolResults = append(toolResults, m.Content)
		}
	}
	usage := Usage{PromptTokens: countTokens(req.Messages), CompletionTokens: 24}
	if len(toolResults) == 0 && len(s.Plan) > 0 {
		return &Completion{
			Message:      Message{Role: RoleAssistant, ToolCalls: s.Plan},
			FinishReason: "tool_calls",
			Usage:        usage,
		}, nil
	}
	return &Completion{
		Message:      Message{Role: RoleAssistant, Content: "Done. " + strings.Join(toolResults, "; ")},
		FinishReason: "stop",
		Usage:        usage,
	}, nil
}

// Stream implements Client by splitting the completion into words.
func (s *Scripted) Stream(ctx context.Context, req Request) (<-chan Chunk, error) {
	c, err := s.Complete(ctx, req)
	if err != nil {
		return nil, err
	}
	ch := make(chan Chunk)
	go func() {
		defer close(ch)
		for w := range strings.FieldsSeq(c.Message.Content) {
			select {
			case ch <- Chunk{Delta: w + " "}:
			case <-ctx.Done():
				ch <- Chunk{Err: ctx.Err(), Done: true}
				return
			}
		}
		ch <- Chunk{Done: true, Usage: c.Usage}
	}()
	return ch, nil
}

// Embed implements Client with a hashed bag of words.
func (s *Scripted) Embed(_ context.Context, model string, input []string) ([][]float32, error) {
	if model == "" {
		return nil, fmt.Errorf("llm: embed: empty model")
	}
	out := make([][]float32, len(input))
	for i, text := range input {
		vec := make([]float32, 16)
		for w := range strings.FieldsSeq(text) {
			h := fnv.New32a()
			h.Write([]byte(w))
			vec[h.Sum32()%16]++
		}
		out[i] = vec
	}
	return out, nil
}

func countTokens(msgs []Message) int {
	n := 0
	for _, m := range msgs {
		n += len(strings.Fields(m.Content)) + 4
		for _, tc := range m.ToolCalls {
			n += len(tc.Arguments) / 4
		}
	}
	return n
}

// Call builds a ToolCall with JSON-encoded arguments.
func Call(id, name string, args any) ToolCall {
	raw, _ := json.Marshal(args)
	return ToolCall{ID: id, Name: name, Arguments: raw}
}
