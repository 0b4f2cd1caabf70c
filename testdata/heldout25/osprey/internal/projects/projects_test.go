package projects

import (
	"context"
	"testing"

	"example.com/osprey/internal/domain"
	"example.com/osprey/internal/storage/memstore"
)

type fakeGit struct{ info RepoInfo }

func (f fakeGit) Repo(context.Context, string) (RepoInfo, error) { return f.info, nil }

func TestCreateAndRepoInfo(t *testing.T) {
	s := NewService(memstore.New(), WithGitHost(fakeGit{RepoInfo{DefaultBranch: "main"}}))
	p, err := s.Create(context.Background(), domain.Project{Slug: "web", Owner: "ana"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Create(context.Background(), domain.Project{Slug: "web", Owner: "bo"}); err == nil {
		t.Fatal("want conflict")
	}
	info, err := s.RepoInfo(context.Background(), p.ID)
	if err != nil || info.DefaultBranch != "main" {
		t.Fatalf("got %+v, %v", info, err)
	}
}
