module github.com/arcadehq/arcade

go 1.26.8
