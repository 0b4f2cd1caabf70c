package mcpserver

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/birdline/gallinule/internal/auth"
	"github.com/birdline/gallinule/internal/crawl"
	"github.com/birdline/gallinule/internal/kvstore"
	"github.com/birdline/gallinule/internal/memory"
	"github.com/birdline/gallinule/internal/rules"
)

// previewTTL is how long a page preview stays cached; previews are cheap to
// rebuild from the page cache.
const previewTTL = 30 * time.Second

func (s *Server) registerTools(srv *server.MCPServer) {
	srv.AddTool(mcp.NewTool("remember",
		mcp.WithDescription("Store a long-term memory for an agent."),
		mcp.WithString("agent", mcp.Required()),
		mcp.WithString("title", mcp.Required(), mcp.MaxLength(200)),
		mcp.WithString("text", mcp.Required()),
		mcp.WithArray("tags", mcp.WithStringItems()),
		mcp.WithNumber("ttl_hours", mcp.Description("0 keeps the memory until it is forgotten"), mcp.Min(0)),
	), s.remember)

	srv.AddTool(mcp.NewTool("recall",
		mcp.WithDescription("Read one memory by id."),
		mcp.WithString("agent", mcp.Required()),
		mcp.WithString("id", mcp.Required()),
	), s.recall)

	srv.AddTool(mcp.NewTool("forget",
		mcp.WithString("agent", mcp.Required()),
		mcp.WithString("id", mcp.Required()),
	), func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		agent, id := req.GetString("agent", ""), req.GetString("id", "")
		if err := s.Memories.Forget(ctx, workspaceFrom(ctx), agent, id); err != nil {
			return nil, err
		}
		return mcp.NewToolResultText("forgotten"), nil
	})

	srv.AddTool(mcp.NewTool("search_memories",
		mcp.WithString("agent", mcp.Required()),
		mcp.WithString("query", mcp.Required(), mcp.MinLength(2)),
	), s.searchMemories)

	srv.AddTool(mcp.NewTool("list_memories",
		mcp.WithString("agent", mcp.Required()),
		mcp.WithString("cursor"),
		mcp.WithNumber("limit", mcp.DefaultNumber(100), mcp.Min(10), mcp.Max(1000)),
	), func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		agent, err := req.RequireString("agent")
		if err != nil {
			return mcp.NewToolResultError(err.Error()), nil
		}
		items, next, err := s.Memories.Page(ctx, workspaceFrom(ctx), agent, req.GetString("cursor", ""), req.GetInt("limit", 100))
		if err != nil {
			return nil, err
		}
		return mcp.NewToolResultStructured(map[string]any{"memories": items, "next_cursor": next}, fmt.Sprintf("%d memories", len(items))), nil
	})

	srv.AddTool(mcp.NewTool("retag_memory",
		mcp.WithString("agent", mcp.Required()),
		mcp.WithString("id", mcp.Required()),
		mcp.WithArray("changes", mcp.Required()),
	), s.retag)

	srv.AddTool(mcp.NewTool("reorder_memories",
		mcp.WithString("agent", mcp.Required()),
		mcp.WithArray("ids", mcp.Required(), mcp.WithStringItems()),
	), func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		ids, err := req.RequireStringSlice("ids")
		if err != nil {
			return mcp.NewToolResultError(err.Error()), nil
		}
		if err := s.Memories.ReplaceIndex(ctx, workspaceFrom(ctx), req.GetString("agent", ""), ids); err != nil {
			return nil, err
		}
		return mcp.NewToolResultText("reordered"), nil
	})

	srv.AddTool(mcp.NewTool("scratch",
		mcp.WithDescription("Keep a short-lived note for the current task."),
		mcp.WithString("agent", mcp.Required()),
		mcp.WithString("note", mcp.Required()),
		mcp.WithNumber("ttl_seconds"),
	), func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		key := "scratch/" + workspaceFrom(ctx) + "/" + req.GetString("agent", "")
		ttl := time.Duration(req.GetInt("ttl_seconds", 30)) * time.Second
		if err := s.Results.Put(ctx, key, []byte(req.GetString("note", "")), ttl); err != nil { // DEBATABLE kvttl
			return nil, err
		}
		return mcp.NewToolResultText("noted"), nil
	})

	srv.AddTool(mcp.NewTool("claim_handle",
		mcp.WithDescription("Reserve a public @handle for an agent."),
		mcp.WithString("agent", mcp.Required()),
		mcp.WithString("handle", mcp.Required(), mcp.MinLength(3), mcp.MaxLength(32)),
	), s.claimHandle)

	srv.AddTool(mcp.NewTool("set_rule",
		mcp.WithString("kind", mcp.Required(), mcp.Enum(string(rules.KindTTL), string(rules.KindLimit), string(rules.KindAllow))),
		mcp.WithString("tool", mcp.Required()),
		mcp.WithString("source", mcp.Required()),
	), func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		var r rules.Rule
		if err := req.BindArguments(&r); err != nil {
			return mcp.NewToolResultError(err.Error()), nil
		}
		if err := s.Rules.Save(ctx, workspaceFrom(ctx), r); err != nil {
			return mcp.NewToolResultErrorFromErr("rule rejected", err), nil
		}
		return mcp.NewToolResultText("saved"), nil
	})

	srv.AddTool(mcp.NewTool("fetch_page",
		mcp.WithString("url", mcp.Required()),
		mcp.WithBoolean("fresh"),
	), s.fetchPage)

	srv.AddTool(mcp.NewTool("preview_page",
		mcp.WithString("url", mcp.Required()),
	), s.previewPage)

	srv.AddTool(mcp.NewTool("crawl_site",
		mcp.WithString("site", mcp.Required()),
		mcp.WithArray("seeds", mcp.WithStringItems()),
		mcp.WithNumber("depth", mcp.DefaultNumber(2), mcp.Max(5)),
	), func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		site, err := req.RequireString("site")
		if err != nil {
			return mcp.NewToolResultError(err.Error()), nil
		}
		if fresh, err := s.Quota.WindowGuard(ctx, workspaceFrom(ctx), "crawl_site", site, 10*time.Second); err != nil {
			return nil, err
		} else if !fresh {
			return mcp.NewToolResultError(site + " was crawled moments ago"), nil
		}
		seeds := req.GetStringSlice("seeds", []string{"https://" + site + "/"})
		rep, err := s.Crawler.Crawl(ctx, site, seeds, req.GetInt("depth", 2))
		if errors.Is(err, crawl.ErrBusy) {
			return mcp.NewToolResultError(err.Error()), nil
		}
		if err != nil {
			return nil, err
		}
		return mcp.NewToolResultJSON(rep)
	})

	srv.AddTool(mcp.NewTool("connect_provider",
		mcp.WithString("provider", mcp.Required(), mcp.Enum("github", "gdrive", "notion")),
	), func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		state, err := s.Sessions.BeginOAuth(ctx, auth.OAuthState{
			Provider: req.GetString("provider", ""), Workspace: workspaceFrom(ctx), Verifier: pkceVerifier(),
		})
		if err != nil {
			return nil, err
		}
		return mcp.NewToolResultText("Open https://gallinule.dev/oauth/start?state=" + state), nil
	})

	srv.AddTool(mcp.NewTool("logout"), func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		sess := server.ClientSessionFromContext(ctx)
		if err := s.Sessions.Revoke(ctx, sess.SessionID()); err != nil {
			return nil, err
		}
		return mcp.NewToolResultText("signed out"), nil
	})

	srv.AddTool(mcp.NewTool("revoke_api_token",
		mcp.WithString("token_id", mcp.Required()),
		mcp.WithString("reason"),
	), func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		id, err := req.RequireString("token_id")
		if err != nil {
			return mcp.NewToolResultError(err.Error()), nil
		}
		if err := s.Sessions.RevokeAPIToken(ctx, id, req.GetString("reason", "revoked by user")); err != nil {
			return nil, err
		}
		return mcp.NewToolResultText("revoked"), nil
	})
}

type rememberArgs struct {
	Agent    string   `json:"agent"`
	Title    string   `json:"title"`
	Text     string   `json:"text"`
	Tags     []string `json:"tags"`
	TTLHours int      `json:"ttl_hours"`
}

func (s *Server) remember(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
	var a rememberArgs
	if err := req.BindArguments(&a); err != nil {
		return mcp.NewToolResultError(err.Error()), nil
	}
	m, err := s.Memories.Remember(ctx, workspaceFrom(ctx), a.Agent, a.Title, a.Text, a.Tags, time.Duration(a.TTLHours)*time.Hour)
	if err != nil {
		return nil, err
	}
	return mcp.NewToolResultStructured(m, "remembered "+m.ID), nil
}

func (s *Server) recall(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
	id, err := req.RequireString("id")
	if err != nil {
		return mcp.NewToolResultError(err.Error()), nil
	}
	m, ok, err := s.Memories.Recall(ctx, workspaceFrom(ctx), req.GetString("agent", ""), id)
	if err != nil {
		return nil, err
	}
	if !ok {
		return mcp.NewToolResultError("no such memory"), nil
	}
	return mcp.NewToolResultStructured(m, m.Text), nil
}

func (s *Server) searchMemories(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
	hits, err := s.Memories.Search(ctx, workspaceFrom(ctx), req.GetString("agent", ""), req.GetString("query", ""))
	if err != nil {
		return nil, err
	}
	return mcp.NewToolResultJSON(hits)
}

func (s *Server) retag(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
	var a struct {
		Agent   string             `json:"agent"`
		ID      string             `json:"id"`
		Changes []memory.TagChange `json:"changes"`
	}
	if err := req.BindArguments(&a); err != nil {
		return mcp.NewToolResultError(err.Error()), nil
	}
	if err := s.Memories.Retag(ctx, workspaceFrom(ctx), a.Agent, a.ID, a.Changes); err != nil {
		return nil, err
	}
	return mcp.NewToolResultText("retagged"), nil
}

var handleRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{2,31}$`)

type handleClaim struct {
	Workspace string    `json:"workspace"`
	Agent     string    `json:"agent"`
	Claimed   time.Time `json:"claimed"`
}

func (s *Server) claimHandle(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
	handle := strings.ToLower(req.GetString("handle", ""))
	if !handleRE.MatchString(handle) {
		return mcp.NewToolResultError("handles are 3-32 lowercase letters, digits, _ or -"), nil
	}
	key := "handle/" + handle
	if _, err := s.Handles.Get(ctx, key); err == nil {
		return mcp.NewToolResultErrorf("@%s is taken", handle), nil
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return nil, err
	}
	claim := handleClaim{Workspace: workspaceFrom(ctx), Agent: req.GetString("agent", ""), Claimed: time.Now().UTC()}
	if err := s.Handles.PutJSON(ctx, key, claim, 0); err != nil { // EXPECT kvrace
		return nil, err
	}
	return mcp.NewToolResultText("@" + handle + " is yours"), nil
}

func (s *Server) fetchPage(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
	raw, err := req.RequireString("url")
	if err != nil {
		return mcp.NewToolResultError(err.Error()), nil
	}
	ws := workspaceFrom(ctx)
	ttl, err := s.Rules.ResultTTL(ctx, ws, "fetch_page", req.GetArguments())
	if err != nil {
		return nil, err
	}
	cache := &kvstore.Cache{NS: s.Results, Prefix: "fetch/" + ws + "/"}
	body, err := kvstore.Fetch(ctx, cache, raw, ttl, func(ctx context.Context) (string, error) {
		return httpGetText(ctx, raw)
	})
	if err != nil {
		return mcp.NewToolResultErrorFromErr("fetch failed", err), nil
	}
	return mcp.NewToolResultText(body), nil
}

func (s *Server) previewPage(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
	raw := req.GetString("url", "")
	key := "preview/" + workspaceFrom(ctx) + "/" + raw
	var p struct {
		Title   string `json:"title"`
		Excerpt string `json:"excerpt"`
	}
	if ok, err := s.Results.GetJSON(ctx, key, &p); err == nil && ok { // DEBATABLE kvnull
		return mcp.NewToolResultStructured(p, p.Title), nil
	}
	body, err := httpGetText(ctx, raw)
	if err != nil {
		return mcp.NewToolResultErrorFromErr("fetch failed", err), nil
	}
	p.Title, p.Excerpt = raw, excerpt(body, 400)
	if err := s.Results.PutJSON(ctx, key, p, previewTTL); err != nil { // EXPECT kvttl
		s.Log.Warn("preview cache", "err", err)
	}
	return mcp.NewToolResultStructured(p, p.Title), nil
}

func excerpt(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

func httpGetText(ctx context.Context, u string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return "", err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return "", fmt.Errorf("%s: %s", u, res.Status)
	}
	b, err := io.ReadAll(io.LimitReader(res.Body, 2<<20))
	return string(b), err
}

func pkceVerifier() string { return rand.Text() + rand.Text() }
