// Package mcpserver exposes memories, rules, quotas and the crawler to
// agents as Model Context Protocol tools and resources.
package mcpserver

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/birdline/gallinule/internal/auth"
	"github.com/birdline/gallinule/internal/crawl"
	"github.com/birdline/gallinule/internal/kvstore"
	"github.com/birdline/gallinule/internal/memory"
	"github.com/birdline/gallinule/internal/quota"
	"github.com/birdline/gallinule/internal/rules"
)

// Version is reported to MCP clients.
const Version = "1.9.2"

// Server holds what the tool handlers need.
type Server struct {
	Memories *memory.Store
	Rules    *rules.Engine
	Quota    *quota.Meter
	Sessions *auth.Sessions
	Crawler  *crawl.Crawler
	Handles  *kvstore.Namespace // agent handle claims
	Results  *kvstore.Namespace // cached tool results
	Stats    *kvstore.Namespace // operational bookkeeping
	Log      *slog.Logger
}

type ctxKey int

const workspaceKey ctxKey = iota

func workspaceFrom(ctx context.Context) string {
	ws, _ := ctx.Value(workspaceKey).(string)
	return ws
}

// New builds the MCP server with every tool and resource registered.
func New(s *Server) *server.MCPServer {
	hooks := &server.Hooks{}
	hooks.AddOnRegisterSession(func(ctx context.Context, sess server.ClientSession) {
		if err := s.Sessions.Adopt(ctx, sess.SessionID(), "mcp"); err != nil {
			s.Log.Warn("session register", "session", sess.SessionID(), "err", err)
		}
	})
	hooks.AddOnUnregisterSession(func(ctx context.Context, sess server.ClientSession) {
		if err := s.Sessions.Revoke(ctx, sess.SessionID()); err != nil {
			s.Log.Warn("session unregister", "session", sess.SessionID(), "err", err)
		}
	})
	hooks.AddAfterCallTool(func(ctx context.Context, id any, msg *mcp.CallToolRequest, result any) {
		last, _ := json.Marshal(map[string]any{"tool": msg.Params.Name, "at": time.Now().UTC(), "ws": workspaceFrom(ctx)})
		if err := s.Stats.Put(ctx, "mcp/last-call", last, 0); err != nil { // EXPECT kvhotkey
			s.Log.Debug("last call", "err", err)
		}
	})

	srv := server.NewMCPServer("gallinule", Version,
		server.WithHooks(hooks),
		server.WithToolCapabilities(true),
		server.WithResourceCapabilities(false, true),
		server.WithRecovery(),
		server.WithToolHandlerMiddleware(s.sessionMiddleware),
		server.WithToolHandlerMiddleware(s.quotaMiddleware),
		server.WithInstructions("Long-term memory, workspace rules and a web crawler for agents."),
	)
	s.registerTools(srv)
	s.registerResources(srv)
	return srv
}

// sessionMiddleware resolves the caller's workspace from its session and
// keeps the session alive.
func (s *Server) sessionMiddleware(next server.ToolHandlerFunc) server.ToolHandlerFunc {
	return func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		sess := server.ClientSessionFromContext(ctx)
		if sess == nil {
			return mcp.NewToolResultError("no session"), nil
		}
		rec, err := s.Sessions.Touch(ctx, sess.SessionID())
		if errors.Is(err, auth.ErrNoSession) {
			return mcp.NewToolResultError("session expired; reconnect"), nil
		}
		if err != nil {
			return nil, err
		}
		ws := rec.Workspace
		if ws == "" {
			ws = req.GetString("workspace", "default")
		}
		return next(context.WithValue(ctx, workspaceKey, ws), req)
	}
}

// quotaMiddleware applies the workspace's allow rule and daily quota.
func (s *Server) quotaMiddleware(next server.ToolHandlerFunc) server.ToolHandlerFunc {
	return func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		ws, tool := workspaceFrom(ctx), req.Params.Name
		ok, err := s.Rules.Allow(ctx, ws, tool, req.GetArguments())
		if err != nil {
			return nil, fmt.Errorf("rule %s: %w", tool, err)
		}
		if !ok {
			return mcp.NewToolResultErrorf("%s is not allowed in this workspace", tool), nil
		}
		left, err := s.Quota.Consume(ctx, ws, tool)
		if errors.Is(err, quota.ErrExhausted) {
			return mcp.NewToolResultErrorf("daily quota for %s used up", tool), nil
		}
		if err != nil {
			return nil, err
		}
		res, err := next(ctx, req)
		if err == nil && left >= 0 && left < 10 {
			res.Content = append(res.Content, mcp.NewTextContent(fmt.Sprintf("(%d calls of %s left today)", left, tool)))
		}
		func() {
			key := "tool-hits/" + tool + "/" + time.Now().UTC().Format("2006-01-02")
			var n int64
			raw, err := s.Stats.Get(ctx, key)
			if err != nil && !errors.Is(err, kvstore.ErrNotFound) {
				return
			}
			if err == nil {
				n, _ = strconv.ParseInt(string(raw), 10, 64)
			}
			n += 1
			_ = s.Stats.Put(ctx, key, []byte(strconv.FormatInt(n, 10)), 8*24*time.Hour) // EXPECT kvcounter|kvrace
		}()
		return res, err
	}
}
