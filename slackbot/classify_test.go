package slackbot

import "testing"

func TestClassifyCommandsAndQuestions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		text       string
		wantAction Action
		wantClean  string
	}{
		{"show SQL", ActionShowSQL, "show SQL"},
		{"show sql", ActionShowSQL, "show sql"},
		{"SHOW SQL", ActionShowSQL, "SHOW SQL"},
		{"<@UBOT> show SQL", ActionShowSQL, "show SQL"},
		{"<@UBOT|analytics-bot> Show Sql", ActionShowSQL, "Show Sql"},
		{"show SQL <@UBOT>", ActionShowSQL, "show SQL"},
		{"  show \n  the   SQL  ", ActionShowSQL, "show the SQL"},
		{"show me the SQL!", ActionShowSQL, "show me the SQL!"},
		{"please show the sql?", ActionShowSQL, "please show the sql?"},
		{"Show SQL.", ActionShowSQL, "Show SQL."},
		{"export csv", ActionExportCSV, "export csv"},
		{"EXPORT CSV", ActionExportCSV, "EXPORT CSV"},
		{"<@UBOT> Export CSV", ActionExportCSV, "Export CSV"},
		{"export as csv", ActionExportCSV, "export as csv"},
		{"export to CSV!", ActionExportCSV, "export to CSV!"},
		{"<@UBOT> please export csv", ActionExportCSV, "please export csv"},

		{"<@UBOT> what was DAU yesterday?", ActionQuestion, "what was DAU yesterday?"},
		{"what was <@UBOT> DAU   yesterday?", ActionQuestion, "what was DAU yesterday?"},
		{"show SQL for revenue by country", ActionQuestion, "show SQL for revenue by country"},
		{"why does the SQL show duplicates?", ActionQuestion, "why does the SQL show duplicates?"},
		{"export csv of revenue by country", ActionQuestion, "export csv of revenue by country"},
		{"exported csv", ActionQuestion, "exported csv"},
		{"showsql", ActionQuestion, "showsql"},
		{"<@UBOT>", ActionQuestion, ""},
		{"", ActionQuestion, ""},
	}
	for _, tt := range tests {
		action, clean := classify(tt.text)
		if action != tt.wantAction || clean != tt.wantClean {
			t.Errorf("classify(%q) = %s, %q; want %s, %q", tt.text, action, clean, tt.wantAction, tt.wantClean)
		}
	}
}
