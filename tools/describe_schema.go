package tools

import (
	"context"
	"encoding/json"
	"fmt"
)

// DescribeSchema tells the model about the readable tables in detail.
type DescribeSchema struct {
	catalog Catalog
}

// Name implements Tool.
func (*DescribeSchema) Name() string { return "describe_schema" }

// Description implements Tool.
func (*DescribeSchema) Description() string {
	return "Describe the readable tables in detail: columns, types, keys, comments, example values and date ranges. " +
		"The system prompt already has a summary; call this only when you need more detail."
}

// Parameters implements Tool.
func (*DescribeSchema) Parameters() map[string]any {
	return map[string]any{
		"type": "object",
		"properties": map[string]any{
			"tables": map[string]any{
				"type":        "array",
				"items":       map[string]any{"type": "string"},
				"description": "Tables to describe (\"table\" or \"schema.table\"); omit for all readable tables, or, on a large database, a list of their names.",
			},
		},
		"additionalProperties": false,
	}
}

type describeArgs struct {
	Tables []string `json:"tables"`
}

// Call implements Tool.
func (d *DescribeSchema) Call(ctx context.Context, raw json.RawMessage) (Output, error) {
	var args describeArgs
	if bad := decodeArgs(raw, &args); bad != nil {
		return *bad, nil
	}
	cat, err := d.catalog.Get(ctx)
	if err != nil {
		return Output{}, fmt.Errorf("describe schema: %w", err)
	}
	text, err := cat.Describe(args.Tables)
	if err != nil {
		return Failure(err.Error()), nil
	}
	described := len(args.Tables)
	if described == 0 {
		described = len(cat.Tables)
	}
	return Output{Text: text, Summary: fmt.Sprintf("described %d table(s)", described)}, nil
}
