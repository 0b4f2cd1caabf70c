// Package llm defines the chat-model client the assistant talks to. The
// production client speaks to the inference gateway; Scripted is used in
// local development and demos.
package llm

import (
	"context"
	"encoding/json"
)

// Role of a chat message.
type Role string

const (
	RoleSystem    Role = "system"
	RoleUser      Role = "user"
	RoleAssistant Role = "assistant"
	RoleTool      Role = "tool"
)

// Message is one turn of a conversation.
type Message struct {
	Role       Role       `json:"role"`
	Content    string     `json:"content,omitempty"`
	ToolCalls  []ToolCall `json:"tool_calls,omitempty"`
	ToolCallID string     `json:"tool_call_id,omitempty"`
	Name       string     `json:"name,omitempty"`
}

// ToolCall is the model asking for a tool to be run.
type ToolCall struct {
	ID        string          `json:"id"`
	Name      string          `json:"name"`
	Arguments json.RawMessage `json:"arguments"`
}

// ToolSpec advertises a tool to the model.
type ToolSpec struct {
	Name        string          `json:"name"`
	Description string          `json:"description"`
	Parameters  json.RawMessage `json:"parameters"`
}

// Usage is the token accounting of one model turn.
type Usage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
}

// Total is prompt plus completion tokens.
func (u Usage) Total() int { return u.PromptTokens + u.CompletionTokens }

// Request is one completion request.
type Request struct {
	Model       string     `json:"model"`
	Messages    []Message  `json:"messages"`
	Tools       []ToolSpec `json:"tools,omitempty"`
	Temperature float64    `json:"temperature"`
	MaxTokens   int        `json:"max_tokens,omitempty"`
}

// Completion is the model's answer to a Request.
type Completion struct {
	Message      Message `json:"message"`
	FinishReason string  `json:"finish_reason"`
	Usage        Usage   `json:"usage"`
}

// Chunk is one piece of a streamed completion. The last chunk has Done set
// and carries the usage of the whole stream.
type Chunk struct {
	Delta string
	Done  bool
	Usage Usage
	Err   error
}

// Client is a chat model.
type Client interface {
	Complete(ctx context.Context, req Request) (*Completion, error)
	Stream(ctx context.Context, req Request) (<-chan Chunk, error)
	Embed(ctx context.Context, model string, input []string) ([][]float32, error)
}
