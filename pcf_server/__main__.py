from pcf_server.cli import main

raise SystemExit(main())
