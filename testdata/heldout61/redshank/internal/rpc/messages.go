// Package rpc serves the assignment API over gRPC. The service descriptor
// and handlers follow protoc-gen-go-grpc's output; the messages are plain
// structs carried by the JSON codec registered in codec.go, so SDK clients
// dial with grpc.CallContentSubtype("json").
package rpc

type AssignRequest struct {
	ExperimentId string `json:"experiment_id,omitempty"`
	UnitId       string `json:"unit_id,omitempty"`
}

type AssignResponse struct {
	Variant string `json:"variant,omitempty"`
	Sticky  bool   `json:"sticky,omitempty"`
}

type ExposureRequest struct {
	ExperimentId string `json:"experiment_id,omitempty"`
	UnitId       string `json:"unit_id,omitempty"`
	Variant      string `json:"variant,omitempty"`
	AtUnix       int64  `json:"at_unix,omitempty"`
}

type ExposureResponse struct {
	Accepted bool `json:"accepted,omitempty"`
}

type ListExposuresRequest struct {
	ExperimentId string `json:"experiment_id,omitempty"`
	PageToken    string `json:"page_token,omitempty"`
}

type ListExposuresResponse struct {
	Keys          []string `json:"keys,omitempty"`
	NextPageToken string   `json:"next_page_token,omitempty"`
}

func (x *AssignRequest) GetExperimentId() string {
	if x != nil {
		return x.ExperimentId
	}
	return ""
}

func (x *AssignRequest) GetUnitId() string {
	if x != nil {
		return x.UnitId
	}
	return ""
}

func (x *ExposureRequest) GetExperimentId() string {
	if x != nil {
		return x.ExperimentId
	}
	return ""
}

func (x *ListExposuresRequest) GetPageToken() string {
	if x != nil {
		return x.PageToken
	}
	return ""
}
