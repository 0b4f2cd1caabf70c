package mcpserver

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/kv"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

func (s *Server) registerResources(srv *server.MCPServer) {
	srv.AddResourceTemplate(
		mcp.NewResourceTemplate("memory://{workspace}/{agent}/{id}", "Agent memory",
			mcp.WithTemplateDescription("One stored memory of an agent"),
			mcp.WithTemplateMIMEType("application/json")),
		s.readMemory,
	)
	srv.AddResourceTemplate(
		mcp.NewResourceTemplate("memory://{workspace}/{agent}", "Agent memory index",
			mcp.WithTemplateDescription("Titles of an agent's memories"),
			mcp.WithTemplateMIMEType("application/json")),
		s.readMemoryIndex,
	)
	srv.AddResource(
		mcp.NewResource("crawl://recent", "Recently cached pages",
			mcp.WithResourceDescription("A peek at the newest keys in the page cache"),
			mcp.WithMIMEType("text/plain")),
		s.readRecentPages,
	)
}

func splitURI(uri, scheme string) []string {
	return strings.Split(strings.TrimPrefix(uri, scheme+"://"), "/")
}

func (s *Server) readMemory(ctx context.Context, req mcp.ReadResourceRequest) ([]mcp.ResourceContents, error) {
	parts := splitURI(req.Params.URI, "memory")
	if len(parts) != 3 {
		return nil, fmt.Errorf("bad memory uri %q", req.Params.URI)
	}
	m, ok, err := s.Memories.Recall(ctx, parts[0], parts[1], parts[2])
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("memory %s not found", parts[2])
	}
	b, _ := json.Marshal(m)
	return []mcp.ResourceContents{mcp.TextResourceContents{URI: req.Params.URI, MIMEType: "application/json", Text: string(b)}}, nil
}

func (s *Server) readMemoryIndex(ctx context.Context, req mcp.ReadResourceRequest) ([]mcp.ResourceContents, error) {
	parts := splitURI(req.Params.URI, "memory")
	if len(parts) != 2 {
		return nil, fmt.Errorf("bad memory uri %q", req.Params.URI)
	}
	entries, _, err := s.Memories.NS.ListPage(ctx, "mem/"+parts[0]+"/"+parts[1]+"/", "", 1000) // EXPECT kvlist
	if err != nil {
		return nil, err
	}
	titles := make(map[string]any, len(entries))
	for _, e := range entries {
		titles[e.Key[strings.LastIndexByte(e.Key, '/')+1:]] = e.Meta["title"]
	}
	b, _ := json.Marshal(map[string]any{"count": len(titles), "memories": titles})
	return []mcp.ResourceContents{mcp.TextResourceContents{URI: req.Params.URI, MIMEType: "application/json", Text: string(b)}}, nil
}

func (s *Server) readRecentPages(ctx context.Context, req mcp.ReadResourceRequest) ([]mcp.ResourceContents, error) {
	pages := s.Crawler.Pages
	res, err := pages.Client.KV.Namespaces.Keys.List(ctx, pages.ID, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(pages.AccountID),
		Prefix:    cloudflare.F("page/"),
		Limit:     cloudflare.F(5.0), // EXPECT kvlimits
	})
	if err != nil {
		return nil, err
	}
	var b strings.Builder
	for _, k := range res.Result {
		fmt.Fprintln(&b, k.Name)
	}
	if res.ResultInfo.Cursor != "" {
		b.WriteString("...\n")
	}
	return []mcp.ResourceContents{mcp.TextResourceContents{URI: req.Params.URI, MIMEType: "text/plain", Text: b.String()}}, nil
}
