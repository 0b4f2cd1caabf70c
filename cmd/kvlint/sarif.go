package main

// This file writes SARIF 2.1.0 (https://docs.oasis-open.org/sarif/sarif/v2.1.0/),
// the subset that GitHub code scanning reads: one rule per analyzer, its
// help taken from Analyzer.Doc and Analyzer.URL, and one result per finding.

import (
	"encoding/json"
	"go/token"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf16"

	"golang.org/x/tools/go/analysis"
)

type sarifLog struct {
	Version string     `json:"version"`
	Schema  string     `json:"$schema"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool               sarifTool                        `json:"tool"`
	OriginalURIBaseIDs map[string]sarifArtifactLocation `json:"originalUriBaseIds,omitempty"`
	ColumnKind         string                           `json:"columnKind"`
	Results            []sarifResult                    `json:"results"`
	Invocations        []sarifInvocation                `json:"invocations"`
}

// A sarifInvocation says whether the run analyzed everything it was asked
// to; each package it could not is a notification.
type sarifInvocation struct {
	ExecutionSuccessful        bool                `json:"executionSuccessful"`
	ToolExecutionNotifications []sarifNotification `json:"toolExecutionNotifications,omitempty"`
}

type sarifNotification struct {
	Level   string       `json:"level"`
	Message sarifMessage `json:"message"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID                   string             `json:"id"`
	Name                 string             `json:"name"`
	ShortDescription     sarifMessage       `json:"shortDescription"`
	FullDescription      sarifMessage       `json:"fullDescription"`
	Help                 sarifMessage       `json:"help"`
	HelpURI              string             `json:"helpUri,omitempty"`
	DefaultConfiguration sarifConfiguration `json:"defaultConfiguration"`
}

type sarifConfiguration struct {
	Level string `json:"level"`
}

type sarifMessage struct {
	Text string `json:"text"`
}

type sarifResult struct {
	RuleID           string            `json:"ruleId"`
	RuleIndex        int               `json:"ruleIndex"`
	Level            string            `json:"level"`
	Message          sarifMessage      `json:"message"`
	Locations        []sarifLocation   `json:"locations"`
	RelatedLocations []sarifLocation   `json:"relatedLocations,omitempty"`
	Properties       map[string]string `json:"properties,omitempty"`
}

type sarifLocation struct {
	ID               int                   `json:"id,omitempty"`
	PhysicalLocation sarifPhysicalLocation `json:"physicalLocation"`
	Message          *sarifMessage         `json:"message,omitempty"`
}

type sarifPhysicalLocation struct {
	ArtifactLocation sarifArtifactLocation `json:"artifactLocation"`
	Region           sarifRegion           `json:"region"`
}

type sarifArtifactLocation struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId,omitempty"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn"`
	EndLine     int `json:"endLine"`
	EndColumn   int `json:"endColumn"`
}

// srcRoot names the current directory, against which file URIs are
// relative, as SARIF consumers expect of a checkout's root.
const srcRoot = "%SRCROOT%"

func printSARIF(w io.Writer, analyzers []*analysis.Analyzer, findings []*finding, failed []failure) error {
	run := sarifRun{
		Tool: sarifTool{Driver: sarifDriver{
			Name:           "kvlint",
			Version:        buildVersion(),
			InformationURI: "https://github.com/kvlint/kvlint",
		}},
		ColumnKind: "utf16CodeUnits",
		Results:    []sarifResult{}, // never null: no findings is a valid log
	}
	inv := sarifInvocation{ExecutionSuccessful: len(failed) == 0}
	for _, f := range failed {
		inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications,
			sarifNotification{Level: "error", Message: sarifMessage{oneLine(f.String())}})
	}
	run.Invocations = []sarifInvocation{inv}
	if dir, err := os.Getwd(); err == nil {
		run.OriginalURIBaseIDs = map[string]sarifArtifactLocation{
			srcRoot: {URI: fileURI(dir) + "/"},
		}
	}
	ruleIndex := make(map[string]int)
	for i, a := range analyzers {
		ruleIndex[a.Name] = i
		run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRule{
			ID:                   a.Name,
			Name:                 a.Name,
			ShortDescription:     sarifMessage{summary(a)},
			FullDescription:      sarifMessage{strings.TrimSpace(a.Doc)},
			Help:                 sarifMessage{strings.TrimSpace(a.Doc)},
			HelpURI:              a.URL,
			DefaultConfiguration: sarifConfiguration{Level: "warning"},
		})
	}
	cols := make(columnConverter)
	for _, f := range findings {
		res := sarifResult{
			RuleID:    f.analyzer,
			RuleIndex: ruleIndex[f.analyzer],
			Level:     "warning",
			Message:   sarifMessage{f.message},
			Locations: []sarifLocation{{PhysicalLocation: cols.location(f.posn, f.end)}},
		}
		for i, r := range f.related {
			res.RelatedLocations = append(res.RelatedLocations, sarifLocation{
				ID:               i + 1,
				PhysicalLocation: cols.location(r.posn, r.end),
				Message:          &sarifMessage{r.message},
			})
		}
		if f.url != "" {
			// SARIF has no per-result help link; the property bag is
			// its extension point.
			res.Properties = map[string]string{"helpUri": f.url}
		}
		run.Results = append(run.Results, res)
	}
	log := sarifLog{
		Version: "2.1.0",
		Schema:  "https://json.schemastore.org/sarif-2.1.0.json",
		Runs:    []sarifRun{run},
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(log)
}

// artifact returns the location of a file: relative to %SRCROOT% when it
// is inside the current directory, an absolute file URI otherwise.
func artifact(filename string) sarifArtifactLocation {
	if rel := relPath(filename); !filepath.IsAbs(rel) {
		return sarifArtifactLocation{URI: (&url.URL{Path: filepath.ToSlash(rel)}).String(), URIBaseID: srcRoot}
	}
	return sarifArtifactLocation{URI: fileURI(filename)}
}

func fileURI(path string) string {
	path = filepath.ToSlash(path)
	if !strings.HasPrefix(path, "/") {
		path = "/" + path // C:/x becomes file:///C:/x
	}
	return (&url.URL{Scheme: "file", Path: path}).String()
}

// A columnConverter turns Go's byte columns into the UTF-16 columns SARIF
// counts by default, reading each file once.
type columnConverter map[string][]string

func (c columnConverter) location(posn, end token.Position) sarifPhysicalLocation {
	return sarifPhysicalLocation{
		ArtifactLocation: artifact(posn.Filename),
		Region: sarifRegion{
			StartLine:   posn.Line,
			StartColumn: c.column(posn),
			EndLine:     end.Line,
			EndColumn:   c.column(end),
		},
	}
}

func (c columnConverter) column(p token.Position) int {
	lines, ok := c[p.Filename]
	if !ok {
		data, _ := os.ReadFile(p.Filename) // on error, keep byte columns
		lines = strings.Split(string(data), "\n")
		c[p.Filename] = lines
	}
	if p.Line < 1 || p.Line > len(lines) || p.Column < 1 || p.Column-1 > len(lines[p.Line-1]) {
		return p.Column
	}
	return len(utf16.Encode([]rune(lines[p.Line-1][:p.Column-1]))) + 1
}
