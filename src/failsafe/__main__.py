from failsafe.cli import main

main()
